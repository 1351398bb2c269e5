package dev.jvmm.machine.htif;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineException;
import dev.jvmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * Spike's host-target interface (riscv-isa-sim {@code fesvr}), polled: the guest writes a
 * command to the 64-bit word at its ELF symbol {@code tohost}; the host, at its next
 * {@link #poll()}, takes it (clearing {@code tohost}), carries it out, and puts any reply in
 * {@code fromhost} once the guest has cleared that word.
 *
 * <h3>Commands</h3>
 * A command is {@code device << 56 | command << 48 | payload} (48-bit payload); a reply
 * keeps the device and command bytes and carries a 48-bit value.
 * <ul>
 *   <li>device 0, command 0, payload with bit 0 set: the program is finished; {@code payload >> 1}
 *       is 0 for a pass ({@link ExitReason.PowerOff}), else the failing test's number
 *       ({@link ExitReason.GuestFailure}, saturated to {@code int}). No reply.</li>
 *   <li>device 0, command 0, even payload: a proxied system call; the payload is the address
 *       of eight 64-bit words (number, then arguments). Supported: {@code write} (64) to fd 1
 *       or 2, which goes to the console, and {@code exit} (93); others return -ENOSYS. The
 *       result replaces word 0; the reply is 1.</li>
 *   <li>device 1, command 1: console putchar of the payload's low byte; reply
 *       {@code 0x100 | ch}, as current Spike does.</li>
 *   <li>anything else (console getchar included: console input belongs to the UART) is
 *       ignored without a reply, as Spike's null device does.</li>
 * </ul>
 *
 * <h3>Why polled</h3>
 * {@code tohost} is ordinary RAM inside the program's image, and the bus does not let MMIO
 * overlap RAM; watching stores would tax every store. Instead the machine polls after each
 * hart run slice and before a hart parks in WFI: no cost on the store path, latency bounded
 * by one slice. Thread-safe (harts poll from their own threads).
 */
public final class Htif {

    /** The host's side effects. */
    public interface Host {
        /** Bytes for the console. */
        void console(byte[] data, int offset, int length);

        /** The program ended. */
        void exit(ExitReason reason);
    }

    static final long PAYLOAD_MASK = (1L << 48) - 1;
    static final int DEVICE_SYSCALL = 0;
    static final int DEVICE_CONSOLE = 1;
    static final int CONSOLE_PUTCHAR = 1;
    static final long SYS_WRITE = 64;
    static final long SYS_EXIT = 93;
    static final long ENOSYS = 38;
    static final long EFAULT = 14;
    static final long EBADF = 9;
    /** Longest proxied write carried out at once (the guest sees a short write). */
    static final int MAX_WRITE = 1 << 20;
    /** Replies waiting for the guest to clear {@code fromhost}; more are dropped. */
    static final int MAX_PENDING_REPLIES = 1024;
    private static final int MAGIC_WORDS = 8;

    private final GuestMemory ram;
    private final long tohost;
    private final OptionalLong fromhost;
    private final Host host;
    private final ArrayDeque<Long> replies = new ArrayDeque<>();

    private Htif(GuestMemory ram, long tohost, OptionalLong fromhost, Host host) {
        this.ram = ram;
        this.tohost = tohost;
        this.fromhost = fromhost;
        this.host = host;
    }

    /**
     * A mailbox at {@code tohost} (and {@code fromhost}, without which replies are dropped).
     * Both must be 8-byte aligned words in RAM.
     */
    public static Htif attach(GuestMemory ram, long tohost, OptionalLong fromhost, Host host) throws MachineException {
        requireWord(ram, tohost, "tohost");
        if (fromhost.isPresent()) {
            requireWord(ram, fromhost.getAsLong(), "fromhost");
            if (fromhost.getAsLong() == tohost) {
                throw new MachineException("the ELF symbols tohost and fromhost are at the same address 0x%x".formatted(tohost));
            }
        }
        return new Htif(ram, tohost, fromhost, host);
    }

    private static void requireWord(GuestMemory ram, long address, String symbol) throws MachineException {
        if ((address & 7) != 0 || !ram.contains(address, 8)) {
            throw new MachineException("the ELF symbol %s (0x%x) is not an 8-byte aligned word in RAM (0x%x-0x%x)"
                    .formatted(symbol, address, ram.base(), ram.end()));
        }
    }

    /** Takes and carries out a pending command, then delivers a waiting reply if {@code fromhost} is free. */
    public synchronized void poll() {
        long command = ram.atomicReadLong(tohost);
        // The compare-and-exchange keeps a store racing with the clear from being lost.
        if (command != 0 && ram.atomicCompareExchangeLong(tohost, command, 0) == command) {
            handle(command);
        }
        if (!replies.isEmpty() && fromhost.isPresent()
                && ram.atomicCompareExchangeLong(fromhost.getAsLong(), 0, replies.peekFirst()) == 0) {
            replies.removeFirst();
        }
    }

    private void handle(long command) {
        int device = (int) (command >>> 56);
        int cmd = (int) (command >>> 48) & 0xff;
        long payload = command & PAYLOAD_MASK;
        if (device == DEVICE_SYSCALL && cmd == 0) {
            if ((payload & 1) != 0) {
                host.exit(result(payload >>> 1));
            } else {
                syscall(payload);
                reply(command, 1);
            }
        } else if (device == DEVICE_CONSOLE && cmd == CONSOLE_PUTCHAR) {
            host.console(new byte[] {(byte) payload}, 0, 1);
            reply(command, 0x100 | (payload & 0xff));
        }
    }

    private static ExitReason result(long code) {
        return code == 0 ? new ExitReason.PowerOff() : new ExitReason.GuestFailure((int) Math.min(code, Integer.MAX_VALUE));
    }

    /** A proxied system call; its arguments block is checked to lie in RAM (else it is ignored, as a bad address). */
    private void syscall(long block) {
        if (!ram.contains(block, MAGIC_WORDS * 8L)) {
            return;
        }
        byte[] raw = new byte[MAGIC_WORDS * 8];
        ram.read(block, raw, 0, raw.length);
        ByteBuffer words = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long number = words.getLong(0);
        long a0 = words.getLong(8);
        long a1 = words.getLong(16);
        long a2 = words.getLong(24);
        long result;
        if (number == SYS_WRITE) {
            result = write(a0, a1, a2);
        } else if (number == SYS_EXIT) {
            host.exit(result(a0));
            result = 0;
        } else {
            result = -ENOSYS;
        }
        ram.writeLong(block, result);
    }

    private long write(long fd, long address, long length) {
        if (fd != 1 && fd != 2) {
            return -EBADF;
        }
        int n = Long.compareUnsigned(length, MAX_WRITE) > 0 ? MAX_WRITE : (int) length;
        if (!ram.contains(address, n)) {
            return -EFAULT;
        }
        byte[] data = new byte[n];
        ram.read(address, data, 0, n);
        host.console(data, 0, n);
        return n;
    }

    private void reply(long command, long value) {
        if (replies.size() < MAX_PENDING_REPLIES) {
            replies.addLast((command & ~PAYLOAD_MASK) | (value & PAYLOAD_MASK));
        }
    }
}
