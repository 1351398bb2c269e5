package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which instructions a region holds in each {@link RegionShape}, decoded from assembled code. */
class RegionShapeTest {

    private static final long BASE = 0x8000_0000L;

    /** Assembles {@code source} with 4-byte instructions only (so pcs are easy to list). */
    private static Assembler.Program assemble(String source) {
        return Assembler.assemble("    .option norvc\n" + source, BASE);
    }

    private static GuestRegion decode(Assembler.Program p, String entry, RegionShape shape) {
        return decode(p, entry, shape, 48);
    }

    /** The region at {@code entry} with a budget of {@code maxRegion} instructions. */
    private static GuestRegion decode(Assembler.Program p, String entry, RegionShape shape, int maxRegion) {
        byte[] page = new byte[4096];
        System.arraycopy(p.image(), 0, page, 0, p.image().length);
        long pc = p.symbol(entry);
        return RegionDecoder.decode(MemorySegment.ofArray(page), pc, pc - BASE, 128, maxRegion, shape);
    }

    private static List<Long> pcs(GuestRegion r) {
        return r.instructions().stream().map(GuestBlock.Instruction::pc).toList();
    }

    /** The pcs from label {@code from} up to (not including) label {@code to}, 4 bytes apart. */
    private static List<Long> range(Assembler.Program p, String from, String to) {
        return java.util.stream.LongStream.iterate(p.symbol(from), a -> a < p.symbol(to), a -> a + 4).boxed().toList();
    }

    /** A loop of two blocks (as musl's strcmp), with an exit path and straight-line code after it. */
    private static final String TWO_BLOCK_LOOP = """
            loop:
                lbu  a5, 0(a0)
                lbu  a4, 0(a1)
                addi a0, a0, 1
                addi a1, a1, 1
                beqz a5, out
            second:
                beq  a5, a4, loop
            after:
                sub  a0, a5, a4
                addi a2, a2, 1
                addi a3, a3, 1
            out:
                addi a6, a6, 1
                addi a7, a7, 1
            done:
                j    done
            end:
            """;

    @Test
    void aLoopRegionHoldsTheCycleThroughItsEntryAndNothingAroundIt() {
        Assembler.Program p = assemble(TWO_BLOCK_LOOP);
        GuestRegion loop = decode(p, "loop", RegionShape.LOOP);
        assertThat(pcs(loop)).isEqualTo(range(p, "loop", "after"));
        assertThat(loop.labels()).containsExactly(p.symbol("loop"));
        assertThat(pcs(decode(p, "loop", RegionShape.REACHABLE))).as("everything reachable")
                .containsAll(range(p, "loop", "done")).hasSizeGreaterThan(pcs(loop).size());
    }

    @Test
    void withoutACycleThroughTheEntryALoopRegionIsItsBasicBlock() {
        Assembler.Program p = assemble(TWO_BLOCK_LOOP);
        // From "after" control only goes on to "done" (a jump to itself, not to "after"): no loop.
        assertThat(pcs(decode(p, "after", RegionShape.LOOP))).containsExactlyElementsOf(range(p, "after", "end"));
        // Entered in the loop's second block, the cycle is the same loop seen from there.
        assertThat(pcs(decode(p, "second", RegionShape.LOOP))).containsExactlyElementsOf(range(p, "loop", "after"));
    }

    /** A function's straight code around a loop: a prologue with a forward branch, the loop, an epilogue. */
    private static final String STRAIGHT_AROUND_A_LOOP = """
            entry:
                addi sp, sp, -16
                sd   ra, 8(sp)
                beqz a0, skip
            then:
                addi a1, a1, 1
                addi a2, a2, 1
            skip:
                li   t0, 4
            inner:
                addi t0, t0, -1
                bnez t0, inner
            tail:
                ld   ra, 8(sp)
                addi sp, sp, 16
                ret
            end:
            """;

    @Test
    void withoutACycleThroughTheEntryTheRegionRunsOnToTheFirstLoopItMeets() {
        Assembler.Program p = assemble(STRAIGHT_AROUND_A_LOOP);
        GuestRegion r = decode(p, "entry", RegionShape.LOOP);
        // Both ways of the branch, up to the loop; the loop and what only follows it are left out.
        assertThat(pcs(r)).containsExactlyElementsOf(range(p, "entry", "inner"));
        assertThat(r.labels()).containsExactlyInAnyOrder(p.symbol("entry"), p.symbol("skip"));
        assertThat(r.entryBlockLength()).isEqualTo(3);
        // The loop is a region of its own, and the epilogue too.
        assertThat(pcs(decode(p, "inner", RegionShape.LOOP))).containsExactlyElementsOf(range(p, "inner", "tail"));
        assertThat(pcs(decode(p, "tail", RegionShape.LOOP))).containsExactlyElementsOf(range(p, "tail", "end"));
    }

    @Test
    void straightCodeStopsAtTwiceTheLoopRegionsSize() {
        Assembler.Program p = assemble(STRAIGHT_AROUND_A_LOOP);
        long pc = p.symbol("entry");
        int budget = 2;
        GuestRegion r = decode(p, "entry", RegionShape.LOOP, budget);
        // The entry's block of 3, then the branch's fall-through first: 4 of the 6 straight instructions.
        assertThat(budget * RegionDecoder.STRAIGHT_REGION_FACTOR).isEqualTo(4);
        assertThat(pcs(r)).containsExactly(pc, pc + 4, pc + 8, p.symbol("then"));
    }

    @Test
    void anEntryOnALoopLargerThanALoopRegionKeepsItsBasicBlockAlone() {
        Assembler.Program p = assemble("""
                loop:
                    addi a0, a0, 1
                    beqz a1, skip
                body:
                    addi a2, a2, 1
                    addi a3, a3, 1
                    addi a4, a4, 1
                    addi a5, a5, 1
                skip:
                    addi a6, a6, 1
                    addi a1, a1, -1
                    bnez a1, loop
                done:
                    j    done
                """);
        // 9 instructions on the loop: more than a budget of 4, so no loop region; straight code
        // from the entry would run the loop's body once and leave in its middle.
        GuestRegion r = decode(p, "loop", RegionShape.LOOP, 4);
        assertThat(pcs(r)).containsExactlyElementsOf(range(p, "loop", "body"));
    }

    @Test
    void anInnerLoopsEntryHoldsTheWholeNestWhenItFits() {
        // The branch after the inner loop is decoded target first: a small decoding budget is
        // spent on the call path before the outer loop closes (as in quicksort's partition).
        Assembler.Program p = assemble("""
                func:
                    addi sp, sp, -16
                top:
                    li   t0, 8
                inner:
                    addi t0, t0, -1
                    bnez t0, inner
                test:
                    beqz a0, recurse
                next:
                    addi s1, s1, -1
                    bnez s1, top
                leave:
                    j    out
                recurse:
                    addi a0, a0, 1
                    addi a1, a1, 1
                    addi a2, a2, 1
                    addi a3, a3, 1
                    jal  ra, func
                    j    next
                out:
                    addi sp, sp, 16
                    ret
                """);
        GuestRegion nest = decode(p, "inner", RegionShape.LOOP, 8);
        // Not the recursion: with calls as edges, the whole function would be one cycle.
        assertThat(pcs(nest)).containsExactlyElementsOf(range(p, "top", "leave"));
        assertThat(nest.labels()).contains(p.symbol("top"), p.symbol("inner"));
        GuestRegion small = decode(p, "inner", RegionShape.LOOP, 4);
        assertThat(pcs(small)).as("the nest's 6 instructions exceed 4").containsExactlyElementsOf(range(p, "inner", "test"));
    }

    @Test
    void aLoopThatCallsAFunctionInItsPageHoldsTheFunctionAndTheReturnSite() {
        Assembler.Program p = assemble("""
                loop:
                    mv   a0, s2
                    jal  ra, work
                back:
                    xor  s0, s0, a0
                    addi s2, s2, -1
                    bnez s2, loop
                done:
                    j    done
                work:
                    srli a1, a0, 2
                    or   a0, a1, a0
                    ret
                end:
                """);
        GuestRegion r = decode(p, "loop", RegionShape.LOOP);
        assertThat(pcs(r)).containsAll(range(p, "loop", "done")).containsAll(range(p, "work", "end"))
                .doesNotContain(p.symbol("done"));
        assertThat(r.labels()).contains(p.symbol("back"), p.symbol("work"));
        assertThat(r.predictions().get(p.symbol("end") - 4)).as("the return is predicted to its site").containsExactly(p.symbol("back"));
    }

    /** A switch in a loop: a jump table's target, four cases of six instructions, back to the loop. */
    private static final String SWITCH_LOOP = """
            loop:
                andi t0, s2, 3
                slli t0, t0, 3
                add  t0, t0, s3
                ld   t1, 0(t0)
            jump:
                jr   t1
            case0:
                addi s0, s0, 1
                addi s0, s0, 2
                addi s0, s0, 3
                addi s0, s0, 4
                addi s0, s0, 5
                j    next
            case1:
                xori s0, s0, 1
                xori s0, s0, 2
                xori s0, s0, 3
                xori s0, s0, 4
                xori s0, s0, 5
                j    next
            case2:
                slli t2, s0, 3
                add  s0, s0, t2
                slli t2, s0, 5
                add  s0, s0, t2
                addi s0, s0, 7
                j    next
            case3:
                srli t2, s0, 2
                xor  s0, s0, t2
                srli t2, s0, 9
                xor  s0, s0, t2
                addi s0, s0, -7
                j    next
            next:
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
            """;

    @Test
    void aComputedJumpsSeenTargetsJoinTheLoopRegionBeyondItsUsualSize() {
        Assembler.Program p = assemble(SWITCH_LOOP);
        byte[] page = new byte[4096];
        System.arraycopy(p.image(), 0, page, 0, p.image().length);
        long pc = p.symbol("loop");
        long[] cases = {p.symbol("case0"), p.symbol("case1"), p.symbol("case2"), p.symbol("case3")};
        // 5 + 4 * 6 + 2 = 31 instructions on the loop: more than this budget, within 4 times it.
        int budget = 16;

        GuestRegion blind = RegionDecoder.decode(MemorySegment.ofArray(page), pc, pc - BASE, 128, budget, RegionShape.LOOP);
        assertThat(pcs(blind)).as("without seen targets: the entry's block only").isEqualTo(range(p, "loop", "case0"));
        assertThat(blind.predictions()).isEmpty();

        GuestRegion seen = RegionDecoder.decode(MemorySegment.ofArray(page), pc, pc - BASE, 128, budget, RegionShape.LOOP,
                java.util.Map.of(p.symbol("jump"), cases));
        assertThat(pcs(seen)).isEqualTo(range(p, "loop", "done"));
        assertThat(seen.predictions().get(p.symbol("jump"))).containsExactly(cases[0], cases[1], cases[2], cases[3]);
        assertThat(seen.labels()).contains(cases[0], cases[1], cases[2], cases[3], p.symbol("next"));
    }
}
