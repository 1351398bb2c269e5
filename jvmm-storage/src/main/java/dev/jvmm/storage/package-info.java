/**
 * Block backends for virtual disks: {@link dev.jvmm.storage.RawImage}, {@link dev.jvmm.storage.Qcow2Image}
 * (versions 2 and 3, backing chains, copy-on-write, compressed reads) and
 * {@link dev.jvmm.storage.InMemoryBackend}, opened through {@link dev.jvmm.storage.DiskImages}.
 *
 * <h3>Trust</h3>
 * Image files are untrusted input: every offset, size and table index read from a file is
 * checked against the file and cluster size, and failures surface as
 * {@link dev.jvmm.storage.StorageException} with a one-line message naming the file.
 *
 * <h3>Crash safety of qcow2 writes</h3>
 * Clusters are reserved (refcount raised, then fsync) before their data is written and before
 * any L2/L1 entry links them; new tables are synced before they are linked; refcounts are
 * lowered only after the unlinking entry has been synced. A kill -9 or host crash therefore
 * leaves at most leaked clusters, never a reference to an unallocated cluster.
 *
 * <p>This package knows nothing of devices, guests or guest memory.
 */
package dev.jvmm.storage;
