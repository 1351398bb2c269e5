package dev.jvmm.machine.migration;

import dev.jvmm.machine.BoardConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.VirtBoard;
import dev.jvmm.machine.state.MachineRecord;
import dev.jvmm.machine.state.StateFile;
import dev.jvmm.machine.state.StateRecord;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The receiving end of a live migration: listens for one source, fills guest RAM from the page
 * batches (each checked against its checksum, every page index bounds-checked), rebuilds the
 * board from the device state, says READY, and after GO starts the network cards and says
 * RUNNING. Anything wrong on the way is answered FAILED (when the connection still stands) and
 * thrown; the source then resumes its guest.
 */
public final class MigrationDestination {

    /** Builds the arrived machine (devices opened, network cards not yet started). */
    @FunctionalInterface
    public interface Assembler<M> {
        M build(BoardConfig board, GuestMemory memory, long clockTicks, Map<String, StateRecord> records, String what)
                throws MachineException;
    }

    private MigrationDestination() {
    }

    /**
     * Waits for one migration on {@code listen} and returns the machine it brought.
     * {@code startNetworks} starts the machine's network cards after GO and returns problems.
     */
    public static <M extends AutoCloseable> M receive(InetSocketAddress listen, Consumer<String> progress,
                                                      Consumer<BoardConfig> warmUp, Assembler<M> assembler,
                                                      java.util.function.Function<M, List<String>> startNetworks)
            throws MachineException, InterruptedException {
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(listen, 1);
        } catch (BindException e) {
            throw new MachineException("--incoming " + describe(listen) + ": " + e.getMessage());
        } catch (IOException e) {
            throw new MachineException("--incoming " + describe(listen) + ": " + e.getMessage());
        }
        progress.accept("waiting for a migration on " + describe(listen));
        try (server; Socket socket = server.accept()) {
            socket.setTcpNoDelay(true);
            progress.accept("migration arriving from " + socket.getRemoteSocketAddress());
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 20));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            return receive(in, out, progress, warmUp, assembler, startNetworks);
        } catch (IOException e) {
            throw new MachineException("migration failed: " + e.getMessage());
        }
    }

    private static <M extends AutoCloseable> M receive(DataInputStream in, DataOutputStream out, Consumer<String> progress,
                                                       Consumer<BoardConfig> warmUp, Assembler<M> assembler,
                                                       java.util.function.Function<M, List<String>> startNetworks)
            throws IOException, MachineException {
        GuestMemory memory = null;
        M machine = null;
        try {
            byte[] magic = new byte[MigrationStream.MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MigrationStream.MAGIC)) {
                throw new MigrationRefused("not a jvmm migration stream");
            }
            int version = in.readInt();
            if (version != MigrationStream.VERSION) {
                throw new MigrationRefused("stream version " + version + " is not supported (this jvmm speaks "
                        + MigrationStream.VERSION + ")");
            }
            expect(in, MigrationStream.CONFIG);
            BoardConfig board = machineRecord(MigrationStream.readBlob(in, "configuration"), "configuration").board();
            try {
                memory = GuestMemory.allocate(VirtBoard.DRAM_BASE, board.memoryBytes());
            } catch (OutOfMemoryError | IllegalArgumentException e) {
                throw new MigrationRefused("cannot allocate " + (board.memoryBytes() >> 20) + " MiB of guest memory");
            }
            // While the pages stream in, so that the stop-and-copy does not wait for class loading.
            Thread.ofPlatform().name("jvmm-warm-up").daemon(true).start(() -> warmUp.accept(board));
            long pages = 0;
            long lastReport = System.nanoTime();
            // Fresh RAM reads as zeros: a page of zeros needs clearing only if data came for it before.
            java.util.BitSet holdsData = new java.util.BitSet((int) (memory.size() / GuestMemory.PAGE_SIZE));
            while (true) {
                int type = in.readUnsignedByte();
                if (type == MigrationStream.PAGES) {
                    pages += readBatch(in, memory, holdsData);
                    if (System.nanoTime() - lastReport > 1_000_000_000L) {
                        progress.accept("received " + pages + " pages");
                        lastReport = System.nanoTime();
                    }
                } else if (type == MigrationStream.STATE) {
                    break;
                } else if (type == MigrationStream.CANCEL) {
                    throw new IOException("the source cancelled: " + MigrationStream.readReason(in));
                } else {
                    throw new MigrationRefused("unexpected message " + type + " in the page stream");
                }
            }
            long stateStart = System.nanoTime();
            byte[] stateBytes = MigrationStream.readBlob(in, "device state");
            Map<String, StateRecord> records;
            try {
                records = StateFile.decode(stateBytes, "device state");
            } catch (StateException e) {
                throw new MigrationRefused(e.getMessage());
            }
            StateRecord m = records.get(MachineRecord.NAME);
            if (m == null) {
                throw new MigrationRefused("device state lacks the machine record");
            }
            MachineRecord machineRecord;
            try {
                machineRecord = MachineRecord.decode(m);
            } catch (StateException e) {
                throw new MigrationRefused(e.getMessage());
            }
            if (!machineRecord.board().equals(board)) {
                throw new MigrationRefused("the device state describes another board than the configuration");
            }
            try {
                machine = assembler.build(board, memory, machineRecord.clockTicks(), records, "migration");
            } catch (MachineException e) {
                throw new MigrationRefused(e.getMessage());
            }
            out.writeByte(MigrationStream.READY);
            out.flush();
            long readyAt = System.nanoTime();
            expect(in, MigrationStream.GO);
            for (String problem : startNetworks.apply(machine)) {
                progress.accept("warning: " + problem);
            }
            out.writeByte(MigrationStream.RUNNING);
            out.flush();
            progress.accept("migration complete: %d pages received; the board was rebuilt in %d ms, GO came %d ms after READY"
                    .formatted(pages, (readyAt - stateStart) / 1_000_000, (System.nanoTime() - readyAt) / 1_000_000));
            return machine;
        } catch (MigrationRefused e) {
            tell(out, e.getMessage());
            cleanUp(machine, memory);
            throw new MachineException("migration refused: " + e.getMessage());
        } catch (EOFException e) {
            cleanUp(machine, memory);
            throw new MachineException("migration failed: the source closed the connection");
        } catch (IOException | RuntimeException e) {
            tell(out, String.valueOf(e.getMessage()));
            cleanUp(machine, memory);
            throw e;
        }
    }

    private static void cleanUp(AutoCloseable machine, GuestMemory memory) {
        try {
            if (machine != null) {
                machine.close(); // frees the memory too
            } else if (memory != null) {
                memory.close();
            }
        } catch (Exception ignored) {
            // already failing
        }
    }

    private static void tell(DataOutputStream out, String reason) {
        try {
            MigrationStream.writeReason(out, MigrationStream.FAILED, reason);
        } catch (IOException ignored) {
            // the source is gone
        }
    }

    private static MachineRecord machineRecord(byte[] data, String what) throws MigrationRefused {
        try {
            StateRecord r = StateFile.decode(data, what).get(MachineRecord.NAME);
            if (r == null) {
                throw new MigrationRefused(what + " lacks the machine record");
            }
            return MachineRecord.decode(r);
        } catch (StateException e) {
            throw new MigrationRefused(e.getMessage());
        }
    }

    private static void expect(DataInputStream in, int type) throws IOException {
        int got = in.readUnsignedByte();
        if (got == MigrationStream.CANCEL) {
            throw new IOException("the source cancelled: " + MigrationStream.readReason(in));
        }
        if (got != type) {
            throw new MigrationRefused("expected message " + type + ", got " + got);
        }
    }

    /** Reads one batch into RAM, checking page numbers, kinds and the checksum; returns its page count. */
    private static int readBatch(DataInputStream in, GuestMemory memory, java.util.BitSet holdsData) throws IOException {
        int count = in.readInt();
        if (count < 1 || count > MigrationStream.BATCH_PAGES) {
            throw new MigrationRefused("page batch of " + count + " pages is out of range");
        }
        long pageCount = memory.size() / GuestMemory.PAGE_SIZE;
        MemorySegment ram = memory.segment();
        byte[] page = new byte[GuestMemory.PAGE_SIZE];
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            int p = in.readInt();
            int kind = in.readUnsignedByte();
            if (p < 0 || p >= pageCount) {
                throw new MigrationRefused("page " + Integer.toUnsignedString(p) + " lies outside guest memory");
            }
            crc.update(p >>> 24);
            crc.update(p >>> 16);
            crc.update(p >>> 8);
            crc.update(p);
            crc.update(kind);
            long offset = (long) p * GuestMemory.PAGE_SIZE;
            if (kind == MigrationStream.PAGE_ZERO) {
                if (holdsData.get(p)) {
                    ram.asSlice(offset, GuestMemory.PAGE_SIZE).fill((byte) 0);
                    holdsData.clear(p);
                }
            } else if (kind == MigrationStream.PAGE_DATA) {
                in.readFully(page);
                crc.update(page);
                MemorySegment.copy(page, 0, ram, ValueLayout.JAVA_BYTE, offset, page.length);
                holdsData.set(p);
            } else {
                throw new MigrationRefused("page kind " + kind + " is unknown");
            }
        }
        if (in.readInt() != (int) crc.getValue()) {
            throw new MigrationRefused("a page batch is corrupted (checksum mismatch)");
        }
        return count;
    }

    private static String describe(InetSocketAddress a) {
        return "tcp:" + a.getHostString() + ":" + a.getPort();
    }

    /** A stream the destination will not take: told to the source, then thrown. */
    private static final class MigrationRefused extends IOException {
        MigrationRefused(String message) {
            super(message);
        }
    }
}
