package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An NS16550A UART as QEMU's {@code virt} board has at 0x1000_0000: byte-wide registers
 * (reg-shift 0), a 3.6864 MHz input clock, PLIC source 10.
 *
 * <p>Transmission is instantaneous: a byte written to THR goes straight to the output stream,
 * so the transmitter is always empty (LSR.THRE and LSR.TEMT stay set) and the "THR empty"
 * interrupt re-arms after every write. The divisor latch and line control are stored and read
 * back but do not change timing. An {@link IOException} from the output stream is swallowed and
 * further output dropped, so a closed console cannot crash the guest. The stream is flushed after
 * every byte, so hand over an unbuffered stream or one whose flush is cheap.
 *
 * <p>Host input from {@link #receive} waits in a bounded backlog; the guest's receive FIFO is a
 * window on the head of that backlog. Because the host producer blocks while the backlog is
 * full, input is never overrun.
 *
 * <p><b>Deviation from a real 16550A:</b> "clear receive FIFO" (FCR bit 1, also implied by
 * toggling FCR bit 0) does not discard host input. Linux clears the FIFO when it opens the port,
 * which on real hardware would eat the start of input piped into jvmm before the guest was ready
 * for it. The clear only drops bytes the guest itself sent through loopback mode. Linux also
 * reads RBR blindly right after that clear, to reset the chip's interrupt state, so after a
 * clear host input is held back until the driver shows it is done resetting: it enables the
 * received-data interrupt or transmits a byte (a polling driver such as U-Boot's prints before
 * it reads).
 *
 * <p>In loopback mode (MCR bit 4) transmitted bytes go to a 16-byte loopback receive FIFO
 * (1 byte when FIFOs are disabled; further bytes set LSR.OE and are lost, as on the chip), host
 * input is held back until loopback ends, and the modem status inputs follow the modem control
 * outputs (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2). Outside loopback the modem inputs read as a
 * connected terminal: CTS, DSR and DCD set.
 *
 * <p>Registers sit at offsets 0..7; an access of any size acts on the one register at its
 * offset (the low byte of a write), and offsets beyond 7 read 0 and ignore writes.
 *
 * <p>Thread-safe: hart threads access registers while another thread (the console input
 * thread) calls {@link #receive}. {@link #quiesce()} holds that thread off: once it returns no
 * input is being queued, and {@code receive} blocks before taking another byte until
 * {@link #unquiesce()}, so the UART's state stays as it is while the machine is paused.
 *
 * <p>State: every register (divisor latch, IER, LCR, MCR, FCR, SCR, the line-error and modem
 * status bits, the pending THR-empty interrupt), the loopback FIFO, the host input not yet read
 * (receive FIFO and backlog are one queue here) and whether it is held back after a FIFO
 * clear. A record's backlog must fit this UART's backlog capacity. The output stream's failure
 * is host state, not UART state. A restore drives the interrupt line to match.
 */
public final class Uart16550 implements MmioDevice, Stateful {

    /** Bytes of host input buffered before {@link #receive} blocks. */
    public static final int DEFAULT_BACKLOG_CAPACITY = 4096;

    // Register offsets (reg-shift 0).
    private static final int RBR_THR_DLL = 0;
    private static final int IER_DLM = 1;
    private static final int IIR_FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private static final int IER_RDA = 0x01;
    private static final int IER_THRE = 0x02;
    private static final int IER_RLS = 0x04;
    private static final int IER_MS = 0x08;

    private static final int IIR_NONE = 0x01;
    private static final int IIR_MS = 0x00;
    private static final int IIR_THRE = 0x02;
    private static final int IIR_RDA = 0x04;
    private static final int IIR_RLS = 0x06;
    private static final int IIR_FIFOS_ENABLED = 0xC0;

    private static final int FCR_ENABLE = 0x01;
    private static final int FCR_CLEAR_RX = 0x02;
    private static final int FCR_STORED_BITS = 0xC9; // enable, DMA mode, trigger level

    private static final int LCR_DLAB = 0x80;

    private static final int MCR_DTR = 0x01;
    private static final int MCR_RTS = 0x02;
    private static final int MCR_OUT1 = 0x04;
    private static final int MCR_OUT2 = 0x08;
    private static final int MCR_LOOP = 0x10;
    private static final int MCR_WRITABLE = 0x1F;

    private static final int LSR_DR = 0x01;
    private static final int LSR_OE = 0x02;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;
    private static final int LSR_ERRORS = 0x1E; // OE, PE, FE, BI: the line-status interrupt sources

    private static final int MSR_DCTS = 0x01;
    private static final int MSR_DDSR = 0x02;
    private static final int MSR_TERI = 0x04;
    private static final int MSR_DDCD = 0x08;
    private static final int MSR_CTS = 0x10;
    private static final int MSR_DSR = 0x20;
    private static final int MSR_RI = 0x40;
    private static final int MSR_DCD = 0x80;
    private static final int MSR_DELTAS = 0x0F;
    private static final int MSR_CONNECTED_TERMINAL = MSR_DCD | MSR_DSR | MSR_CTS;

    private static final int FIFO_DEPTH = 16;

    private final InterruptLine irq;
    private final OutputStream output;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the backlog has room again or quiescing ends. */
    private final Condition inputAccepted = lock.newCondition();
    private final ByteRing backlog;
    private final ByteRing loopbackFifo = new ByteRing(FIFO_DEPTH);

    private int ier;
    private int lcr;
    private int mcr;
    private int fcr;
    private int scr;
    private int divisorLow;
    private int divisorHigh;
    private int lineErrors;
    private int msr = MSR_CONNECTED_TERMINAL;
    private boolean thrEmptyPending;
    /** Host input is hidden from the guest after it cleared the receive FIFO; see the class doc. */
    private boolean hostInputHeld;
    private boolean outputBroken;
    private boolean irqLevel;
    private boolean quiesced;

    /** Transmitted bytes go to {@code output}; {@code irq} is the UART's PLIC source. */
    public Uart16550(InterruptLine irq, OutputStream output) {
        this(irq, output, DEFAULT_BACKLOG_CAPACITY);
    }

    /** As {@link #Uart16550(InterruptLine, OutputStream)} with a chosen host-input backlog size. */
    public Uart16550(InterruptLine irq, OutputStream output, int backlogCapacity) {
        if (backlogCapacity <= 0) {
            throw new IllegalArgumentException("backlog capacity must be positive: " + backlogCapacity);
        }
        this.irq = Objects.requireNonNull(irq, "irq");
        this.output = Objects.requireNonNull(output, "output");
        this.backlog = new ByteRing(backlogCapacity);
    }

    /**
     * Queues host input for the guest; blocks while the input buffer is full or the UART is
     * quiesced. If interrupted, the bytes queued so far stay queued.
     */
    public void receive(byte[] data, int offset, int length) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, data.length);
        int next = offset;
        int end = offset + length;
        lock.lockInterruptibly();
        try {
            while (next < end) {
                while (quiesced || backlog.isFull()) {
                    inputAccepted.await();
                }
                while (next < end && !backlog.isFull()) {
                    backlog.add(data[next++]);
                }
                updateIrq();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long read(long offset, int size) {
        if (offset < 0 || offset > SCR) {
            return 0;
        }
        lock.lock();
        try {
            return readRegister((int) offset) & 0xFF;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset < 0 || offset > SCR) {
            return;
        }
        lock.lock();
        try {
            writeRegister((int) offset, (int) value & 0xFF);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds off {@link #receive}: waits for a call that is queueing bytes to let go of the
     * UART, then keeps every caller out until {@link #unquiesce()}. Idempotent.
     */
    public void quiesce() {
        lock.lock();
        try {
            quiesced = true;
        } finally {
            lock.unlock();
        }
    }

    /** Lets {@link #receive} queue input again. Idempotent. */
    public void unquiesce() {
        lock.lock();
        try {
            quiesced = false;
            inputAccepted.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void saveState(StateWriter out) {
        lock.lock();
        try {
            out.putByte(divisorLow).putByte(divisorHigh).putByte(ier).putByte(lcr).putByte(mcr)
                    .putByte(fcr).putByte(scr).putByte(lineErrors).putByte(msr)
                    .putBoolean(thrEmptyPending).putBoolean(hostInputHeld);
            out.putBytes(loopbackFifo.toArray());
            out.putBytes(backlog.toArray());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        if (version != 1) {
            throw in.bad("version", version + " is not understood (this UART writes 1)");
        }
        int newDll = in.getByte("DLL");
        int newDlm = in.getByte("DLM");
        int newIer = checked(in, "IER", 0x0F);
        int newLcr = in.getByte("LCR");
        int newMcr = checked(in, "MCR", MCR_WRITABLE);
        int newFcr = checked(in, "FCR", FCR_STORED_BITS);
        int newScr = in.getByte("SCR");
        int newLineErrors = checked(in, "line errors", LSR_ERRORS);
        int newMsr = in.getByte("MSR");
        boolean newThrEmptyPending = in.getBoolean("THR empty pending");
        boolean newHostInputHeld = in.getBoolean("host input held");
        byte[] newLoopback = in.getBytes("loopback FIFO", FIFO_DEPTH);
        byte[] newBacklog = in.getBytes("host input", backlog.capacity());
        in.expectEnd();
        if ((newMsr & ~MSR_DELTAS) != modemInputs(newMcr)) {
            throw in.bad("MSR", "0x%02x does not follow MCR 0x%02x".formatted(newMsr, newMcr));
        }
        if ((newFcr & FCR_ENABLE) == 0 && newLoopback.length > 1) {
            throw in.bad("loopback FIFO", "holds %d bytes with FIFOs disabled".formatted(newLoopback.length));
        }
        lock.lock();
        try {
            divisorLow = newDll;
            divisorHigh = newDlm;
            ier = newIer;
            lcr = newLcr;
            mcr = newMcr;
            fcr = newFcr;
            scr = newScr;
            lineErrors = newLineErrors;
            msr = newMsr;
            thrEmptyPending = newThrEmptyPending;
            hostInputHeld = newHostInputHeld;
            loopbackFifo.replace(newLoopback);
            backlog.replace(newBacklog);
            inputAccepted.signalAll();
            // Driven even if unchanged: the PLIC at the far end is restored too.
            irqLevel = pendingInterrupt() != IIR_NONE;
            irq.set(irqLevel);
        } finally {
            lock.unlock();
        }
    }

    /** A byte field that may only have the bits of {@code allowed}. */
    private static int checked(StateReader in, String field, int allowed) throws StateException {
        int value = in.getByte(field);
        if ((value & ~allowed) != 0) {
            throw in.bad(field, "0x%02x has bits outside 0x%02x".formatted(value, allowed));
        }
        return value;
    }

    private int readRegister(int register) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch (register) {
            case RBR_THR_DLL -> dlab ? divisorLow : readReceiveBuffer();
            case IER_DLM -> dlab ? divisorHigh : ier;
            case IIR_FCR -> readInterruptIdentification();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLineStatus();
            case MSR -> readModemStatus();
            case SCR -> scr;
            default -> 0;
        };
    }

    private void writeRegister(int register, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (register) {
            case RBR_THR_DLL -> {
                if (dlab) {
                    divisorLow = value;
                } else {
                    transmit((byte) value);
                }
            }
            case IER_DLM -> {
                if (dlab) {
                    divisorHigh = value;
                } else {
                    writeInterruptEnable(value);
                }
            }
            case IIR_FCR -> writeFifoControl(value);
            case LCR -> lcr = value;
            case MCR -> writeModemControl(value);
            case SCR -> scr = value;
            default -> { } // LSR and MSR are read-only
        }
    }

    private int readReceiveBuffer() {
        int value = 0;
        if (!loopbackFifo.isEmpty()) {
            value = loopbackFifo.remove() & 0xFF;
        } else if (hostInputVisible()) {
            value = backlog.remove() & 0xFF;
            inputAccepted.signalAll();
        }
        updateIrq();
        return value;
    }

    private void transmit(byte value) {
        // The transmitter is instantaneous: THR empties at once, so THRE re-arms right away.
        if (loopback()) {
            int depth = fifosEnabled() ? FIFO_DEPTH : 1;
            if (loopbackFifo.size() < depth) {
                loopbackFifo.add(value);
            } else {
                lineErrors |= LSR_OE;
            }
        } else {
            hostInputHeld = false;
            if (!outputBroken) {
                try {
                    output.write(value);
                    output.flush();
                } catch (IOException e) {
                    outputBroken = true;
                }
            }
        }
        thrEmptyPending = true;
        updateIrq();
    }

    private void writeInterruptEnable(int value) {
        int previous = ier;
        ier = value & 0x0F;
        if ((ier & IER_RDA) != 0) {
            hostInputHeld = false;
        }
        // Enabling THRE while THR is empty (always, here) raises the interrupt again, even after
        // an IIR read acknowledged it; Linux's 8250 start-up probe depends on this.
        if ((previous & IER_THRE) == 0 && (ier & IER_THRE) != 0) {
            thrEmptyPending = true;
        }
        updateIrq();
    }

    private int readInterruptIdentification() {
        int id = pendingInterrupt();
        if (id == IIR_THRE) {
            thrEmptyPending = false; // reading IIR acknowledges THRE
            updateIrq();
        }
        return id | (fifosEnabled() ? IIR_FIFOS_ENABLED : 0);
    }

    private void writeFifoControl(int value) {
        boolean enableChanges = ((value ^ fcr) & FCR_ENABLE) != 0;
        if (enableChanges || (value & FCR_CLEAR_RX) != 0) {
            // Only the guest's own loopback bytes are dropped; host input is kept (see class doc).
            loopbackFifo.clear();
            hostInputHeld = true;
        }
        fcr = value & FCR_STORED_BITS;
        updateIrq();
    }

    private void writeModemControl(int value) {
        mcr = value & MCR_WRITABLE;
        int status = modemInputs();
        int old = msr;
        int deltas = old & MSR_DELTAS;
        int changed = (old ^ status) & 0xF0;
        if ((changed & MSR_CTS) != 0) {
            deltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            deltas |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            deltas |= MSR_DDCD;
        }
        if ((old & MSR_RI) != 0 && (status & MSR_RI) == 0) {
            deltas |= MSR_TERI; // trailing edge of ring indicator
        }
        msr = status | deltas;
        updateIrq();
    }

    private int modemInputs() {
        return modemInputs(mcr);
    }

    /** What the modem status inputs read with modem control {@code mcr}. */
    private static int modemInputs(int mcr) {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_CONNECTED_TERMINAL;
        }
        int status = 0;
        if ((mcr & MCR_RTS) != 0) {
            status |= MSR_CTS;
        }
        if ((mcr & MCR_DTR) != 0) {
            status |= MSR_DSR;
        }
        if ((mcr & MCR_OUT1) != 0) {
            status |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            status |= MSR_DCD;
        }
        return status;
    }

    private int readLineStatus() {
        int value = lineStatus();
        lineErrors = 0; // reading LSR clears the error bits and the line-status interrupt
        updateIrq();
        return value;
    }

    private int readModemStatus() {
        int value = msr;
        msr &= ~MSR_DELTAS;
        updateIrq();
        return value;
    }

    private int lineStatus() {
        return LSR_THRE | LSR_TEMT | lineErrors | (dataReady() ? LSR_DR : 0);
    }

    private boolean dataReady() {
        return !loopbackFifo.isEmpty() || hostInputVisible();
    }

    private boolean hostInputVisible() {
        return !loopback() && !hostInputHeld && !backlog.isEmpty();
    }

    /** The highest-priority pending enabled interrupt, as IIR bits 0..3. */
    private int pendingInterrupt() {
        if ((ier & IER_RLS) != 0 && (lineErrors & LSR_ERRORS) != 0) {
            return IIR_RLS;
        }
        if ((ier & IER_RDA) != 0 && dataReady()) {
            return IIR_RDA;
        }
        if ((ier & IER_THRE) != 0 && thrEmptyPending) {
            return IIR_THRE;
        }
        if ((ier & IER_MS) != 0 && (msr & MSR_DELTAS) != 0) {
            return IIR_MS;
        }
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean level = pendingInterrupt() != IIR_NONE;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    private boolean loopback() {
        return (mcr & MCR_LOOP) != 0;
    }

    private boolean fifosEnabled() {
        return (fcr & FCR_ENABLE) != 0;
    }

    /** A fixed-capacity FIFO of bytes; callers hold the UART's lock. */
    private static final class ByteRing {
        private final byte[] data;
        private int head;
        private int size;

        ByteRing(int capacity) {
            data = new byte[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        boolean isFull() {
            return size == data.length;
        }

        int size() {
            return size;
        }

        void add(byte value) {
            data[(head + size) % data.length] = value;
            size++;
        }

        byte remove() {
            byte value = data[head];
            head = (head + 1) % data.length;
            size--;
            return value;
        }

        void clear() {
            head = 0;
            size = 0;
        }

        int capacity() {
            return data.length;
        }

        /** The contents, oldest first. */
        byte[] toArray() {
            byte[] out = new byte[size];
            for (int i = 0; i < size; i++) {
                out[i] = data[(head + i) % data.length];
            }
            return out;
        }

        /** Replaces the contents with {@code bytes} (at most the capacity). */
        void replace(byte[] bytes) {
            System.arraycopy(bytes, 0, data, 0, bytes.length);
            head = 0;
            size = bytes.length;
        }
    }
}
