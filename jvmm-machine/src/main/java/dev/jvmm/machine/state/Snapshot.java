package dev.jvmm.machine.state;

import dev.jvmm.machine.BoardConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.VirtBoard;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.PageFile;
import dev.jvmm.memory.PageFileIndex;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A snapshot directory: {@code memory}, the guest's RAM byte for byte (sparse: pages never
 * written are holes), mappable copy-on-write; and {@code state}, a {@link StateFile} holding the
 * {@link MachineRecord}, the memory file's index (chunk checksums) and one record per component.
 * The directory is written under a temporary name and renamed into place when complete, so a
 * snapshot directory either is whole or does not exist. See {@code docs/snapshot-format.md}.
 */
public final class Snapshot {

    public static final String MACHINE_RECORD = MachineRecord.NAME;
    public static final String MEMORY_RECORD = "memory";
    static final int MEMORY_RECORD_VERSION = 1;
    static final String MEMORY_FILE = "memory";
    static final String STATE_FILE = "state";

    private final Path dir;
    private final MachineRecord machine;
    private final PageFileIndex index;
    private final Map<String, StateRecord> records;

    private Snapshot(Path dir, MachineRecord machine, PageFileIndex index, Map<String, StateRecord> records) {
        this.dir = dir;
        this.machine = machine;
        this.index = index;
        this.records = records;
    }

    /** Writes a snapshot of paused {@code memory} and {@code components} into the new directory {@code dir}. */
    public static void write(Path dir, GuestMemory memory, BoardConfig board, long clockTicks,
                             Supplier<List<StateRecord>> components) throws MachineException {
        Path absolute = dir.toAbsolutePath().normalize();
        if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new MachineException("snapshot " + dir + ": already exists");
        }
        Path parent = absolute.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new MachineException("snapshot " + dir + ": the parent directory does not exist");
        }
        Path partial = parent.resolve("." + absolute.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(partial);
            PageFileIndex index = PageFile.write(memory, partial.resolve(MEMORY_FILE));
            List<StateRecord> all = new ArrayList<>();
            all.add(new MachineRecord(board, clockTicks).encode());
            StateWriter idx = new StateWriter();
            index.save(idx);
            all.add(new StateRecord(MEMORY_RECORD, MEMORY_RECORD_VERSION, idx.toByteArray()));
            all.addAll(components.get());
            writeDurably(partial.resolve(STATE_FILE), StateFile.encode(all));
            Files.move(partial, absolute, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(partial);
            throw new MachineException("snapshot " + dir + ": already exists");
        } catch (AccessDeniedException e) {
            deleteQuietly(partial);
            throw new MachineException("snapshot " + dir + ": permission denied");
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new MachineException("snapshot " + dir + ": " + oneLine(e));
        }
    }

    /** Reads and checks {@code dir}'s state file (the memory file is checked when mapped). */
    public static Snapshot open(Path dir) throws MachineException {
        if (!Files.isDirectory(dir)) {
            throw new MachineException("snapshot " + dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory"));
        }
        byte[] data;
        try {
            data = Files.readAllBytes(dir.resolve(STATE_FILE));
        } catch (NoSuchFileException e) {
            throw new MachineException("snapshot " + dir + ": not a jvmm snapshot (no state file)");
        } catch (IOException e) {
            throw new MachineException("snapshot " + dir + ": cannot read the state file: " + oneLine(e));
        }
        try {
            Map<String, StateRecord> records = StateFile.decode(data, "snapshot " + dir + " state file");
            StateRecord m = records.get(MACHINE_RECORD);
            StateRecord mem = records.get(MEMORY_RECORD);
            if (m == null || mem == null) {
                throw new StateException("snapshot " + dir + ": the state file lacks the machine or memory record");
            }
            MachineRecord machine = MachineRecord.decode(m);
            if (mem.version() != MEMORY_RECORD_VERSION) {
                throw new StateException("snapshot " + dir + ": memory record version " + mem.version() + " is not understood");
            }
            StateReader in = new StateReader(MEMORY_RECORD, mem.payload());
            PageFileIndex index = PageFileIndex.load(in);
            in.expectEnd();
            if (index.memorySize() != machine.board().memoryBytes()) {
                throw new StateException("snapshot " + dir + ": memory index covers " + index.memorySize()
                        + " bytes but the board has " + machine.board().memoryBytes());
            }
            return new Snapshot(dir, machine, index, records);
        } catch (StateException e) {
            throw new MachineException(e.getMessage());
        }
    }

    public BoardConfig board() {
        return machine.board();
    }

    public long clockTicks() {
        return machine.clockTicks();
    }

    /** Every record, the machine and memory records included. */
    public Map<String, StateRecord> records() {
        return records;
    }

    /** Maps the memory file copy-on-write and checks the checksums of the chunks that hold data. */
    public GuestMemory mapMemory() throws MachineException {
        Path file = dir.resolve(MEMORY_FILE);
        GuestMemory memory;
        try {
            memory = GuestMemory.mapPrivate(file, VirtBoard.DRAM_BASE, machine.board().memoryBytes());
        } catch (NoSuchFileException e) {
            throw new MachineException("snapshot " + dir + ": the memory file is missing");
        } catch (IOException e) {
            throw new MachineException("snapshot " + dir + ": " + oneLine(e));
        }
        try {
            index.verify(memory);
            return memory;
        } catch (StateException e) {
            memory.close();
            throw new MachineException("snapshot " + dir + ": " + e.getMessage());
        }
    }

    private static void writeDurably(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Not every file system lets a directory be synced; the data files already are.
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // nothing there
        }
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
