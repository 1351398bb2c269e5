package dev.jvmm.machine.state;

import dev.jvmm.machine.BoardConfig;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;

/**
 * The board-level record that precedes the components' records in a snapshot and in a
 * migration's device state: the board to rebuild and the guest's clock.
 *
 * @param board      what to build
 * @param clockTicks the guest's {@code mtime} when the machine was paused
 */
public record MachineRecord(BoardConfig board, long clockTicks) {

    public static final String NAME = "machine";
    public static final int VERSION = 1;

    public StateRecord encode() {
        StateWriter out = new StateWriter();
        board.save(out);
        out.putLong(clockTicks);
        return new StateRecord(NAME, VERSION, out.toByteArray());
    }

    public static MachineRecord decode(StateRecord record) throws StateException {
        if (record.version() != VERSION) {
            throw new StateException("machine record has version %d; this jvmm reads version %d".formatted(record.version(), VERSION));
        }
        StateReader in = new StateReader(NAME, record.payload());
        BoardConfig board = BoardConfig.load(in);
        long ticks = in.getLong("clock ticks");
        if (ticks < 0) {
            throw in.bad("clock ticks", "is negative");
        }
        in.expectEnd();
        return new MachineRecord(board, ticks);
    }
}
