package dev.jvmm.cpu.riscv.translate;

/** Which code around a hot entry the translator compiles into one method (see {@link RegionDecoder}). */
public enum RegionShape {
    /**
     * The guest loop through the entry: the instructions on a cycle of branches and jumps back
     * to it, in its page, within the region's size. Where there is none, the straight-line code
     * from the entry (its blocks up to the first loop, within twice that size); an entry on a
     * larger loop keeps its basic block alone. A loop of several blocks (a libc string loop,
     * quicksort's partition) then runs inside one method instead of calling block after block,
     * and so does a function's straight code between its loops, while each loop is a region
     * of its own.
     */
    LOOP,
    /**
     * Everything in the entry's page reachable through branches (both ways), jumps, calls and
     * their return sites, within the region's size.
     */
    REACHABLE
}
