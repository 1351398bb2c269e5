package dev.jvmm.machine;

/**
 * How a snapshot is restored.
 *
 * @param cloneNumber -1 to restore the guest itself; 0, 1, ... to start clone number {@code cloneNumber}: it
 *              gets its own MAC address (the saved one with the clone number added to its last
 *              octets) and writes its disks through its own copy-on-write overlays, so clones of
 *              one snapshot share everything they have not changed
 */
public record RestoreOptions(int cloneNumber) {

    /** Restores the guest itself. */
    public static final RestoreOptions ORIGINAL = new RestoreOptions(-1);

    public RestoreOptions {
        if (cloneNumber < -1 || cloneNumber > 0xffff) {
            throw new IllegalArgumentException("clone number out of range: " + cloneNumber);
        }
    }

    public boolean isClone() {
        return cloneNumber >= 0;
    }
}
