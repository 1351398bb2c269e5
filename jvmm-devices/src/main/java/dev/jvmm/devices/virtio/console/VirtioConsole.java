package dev.jvmm.devices.virtio.console;

import dev.jvmm.devices.virtio.AbstractVirtioDevice;
import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.queue.ChainReader;
import dev.jvmm.devices.virtio.queue.ChainWriter;
import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.locks.Condition;

/**
 * The console device (VIRTIO 1.2 §5.3) with a single port and no optional features: Linux's
 * hvc0. Queue 0 (receiveq) carries host input to the guest, queue 1 (transmitq) guest output to
 * an {@link OutputStream}.
 *
 * <p>Host input from {@link #receive} waits in a bounded backlog until the driver has put
 * receive buffers in the queue, and {@code receive} blocks while the backlog is full, so input
 * is never dropped, not before the driver starts and not across a device reset. An
 * {@link IOException} from the output stream is swallowed and further output dropped, as the
 * UART does, so a closed console cannot crash the guest.
 *
 * <p>Threads: guest output is written on the hart thread that notified the transmit queue;
 * host input arrives on the caller's thread of {@link #receive} (the console input thread)
 * and is moved into guest buffers there, under the device lock. While the device is
 * {@linkplain #quiesce() quiesced}, {@code receive} blocks before it takes any byte, so the
 * backlog and guest RAM stay as they are; {@link #unquiesce()} lets it go on and delivers the
 * backlog.
 *
 * <p>State: the record holds the backlog (input the guest has not received yet) besides the
 * common virtio state. A record's backlog must fit this device's backlog capacity.
 */
public final class VirtioConsole extends AbstractVirtioDevice {

    private static final System.Logger LOG = System.getLogger(VirtioConsole.class.getName());

    public static final int RECEIVEQ = 0;
    public static final int TRANSMITQ = 1;
    public static final int QUEUE_SIZE = 64;
    /** Bytes of host input buffered before {@link #receive} blocks. */
    public static final int DEFAULT_BACKLOG_CAPACITY = 4096;

    /** cols le16, rows le16, max_nr_ports le32, emerg_wr le32. */
    private static final int CONFIG_SIZE = 12;

    private final OutputStream output;
    /** Signalled when the backlog has room again or quiescing ends. */
    private final Condition inputAccepted = lock.newCondition();
    private final byte[] backlog;
    private int backlogHead;
    private int backlogSize;
    private boolean outputBroken;

    public VirtioConsole(OutputStream output) {
        this(output, DEFAULT_BACKLOG_CAPACITY);
    }

    public VirtioConsole(OutputStream output, int backlogCapacity) {
        super(VirtioIds.VIRTIO_ID_CONSOLE, VirtioFeatures.COMMON, QUEUE_SIZE, QUEUE_SIZE);
        if (backlogCapacity <= 0) {
            throw new IllegalArgumentException("backlog capacity must be positive: " + backlogCapacity);
        }
        this.output = Objects.requireNonNull(output, "output");
        this.backlog = new byte[backlogCapacity];
    }

    @Override
    protected byte[] configBytes() {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, 1); // max_nr_ports; only meaningful with MULTIPORT
        return b.array();
    }

    /**
     * Queues host input for the guest; blocks while the backlog is full or the device is
     * quiesced. If interrupted, the bytes queued so far stay queued.
     */
    public void receive(byte[] data, int offset, int length) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, data.length);
        int next = offset;
        int end = offset + length;
        lock.lockInterruptibly();
        try {
            while (next < end) {
                while (isQuiesced() || backlogSize == backlog.length) {
                    inputAccepted.await();
                }
                while (next < end && backlogSize < backlog.length) {
                    backlog[(backlogHead + backlogSize) % backlog.length] = data[next++];
                    backlogSize++;
                }
                withActiveQueues(this::deliverInput);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of host input not yet delivered to the guest. */
    public int pendingInput() {
        lock.lock();
        try {
            return backlogSize;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void processQueue(DeviceState.Active active, int index) throws VirtqueueFault {
        if (index == RECEIVEQ) {
            deliverInput(active);
        } else {
            drainQueue(active, queues().get(TRANSMITQ), this::transmit);
        }
    }

    private long transmit(DeviceState.Active active, DescriptorChain chain) {
        ChainReader reader = new ChainReader(active.memory(), chain.readable());
        byte[] chunk = new byte[(int) Math.min(reader.remaining(), 4096)];
        while (reader.remaining() > 0) {
            int n = (int) Math.min(chunk.length, reader.remaining());
            reader.read(chunk, 0, n);
            writeOutput(chunk, n);
        }
        if (!outputBroken) {
            try {
                output.flush();
            } catch (IOException e) {
                outputBroken(e);
            }
        }
        return 0;
    }

    private void writeOutput(byte[] chunk, int n) {
        if (outputBroken) {
            return;
        }
        try {
            output.write(chunk, 0, n);
        } catch (IOException e) {
            outputBroken(e);
        }
    }

    private void outputBroken(IOException e) {
        outputBroken = true;
        LOG.log(System.Logger.Level.WARNING, "virtio-console: output failed, dropping further output: {0}", e.toString());
    }

    /** Moves backlog bytes into the receive buffers the driver has made available. */
    private void deliverInput(DeviceState.Active active) throws VirtqueueFault {
        SplitQueue queue = queues().get(RECEIVEQ);
        if (!queue.isReady()) {
            return;
        }
        GuestMemory memory = active.memory();
        boolean delivered = false;
        while (backlogSize > 0) {
            DescriptorChain chain = queue.pop(memory);
            if (chain == null) {
                // Out of buffers: ask to be told when the driver adds more.
                if (queue.enableNotification(memory)) {
                    continue;
                }
                break;
            }
            ChainWriter writer = new ChainWriter(memory, chain.writable());
            int n = (int) Math.min(writer.remaining(), backlogSize);
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = backlog[(backlogHead + i) % backlog.length];
            }
            writer.write(bytes, 0, n);
            backlogHead = (backlogHead + n) % backlog.length;
            backlogSize -= n;
            queue.addUsed(memory, chain.headIndex(), n);
            delivered = true;
            if (queue.usedSinceLastNotificationCheck() >= queue.size()) {
                notifyIfWanted(active, queue);
            }
        }
        if (delivered) {
            inputAccepted.signalAll();
            notifyIfWanted(active, queue);
        }
    }

    @Override
    protected void onUnquiesce() {
        inputAccepted.signalAll();
        withActiveQueues(this::deliverInput);
    }

    @Override
    protected void saveDeviceState(StateWriter out) {
        out.putBytes(backlogBytes());
    }

    @Override
    protected Runnable readDeviceState(StateReader in, int version) throws StateException {
        byte[] pending = in.getBytes("pending input", backlog.length);
        return () -> {
            System.arraycopy(pending, 0, backlog, 0, pending.length);
            backlogHead = 0;
            backlogSize = pending.length;
            inputAccepted.signalAll();
        };
    }

    /** The backlog in arrival order; called under the lock. */
    private byte[] backlogBytes() {
        byte[] bytes = new byte[backlogSize];
        for (int i = 0; i < backlogSize; i++) {
            bytes[i] = backlog[(backlogHead + i) % backlog.length];
        }
        return bytes;
    }
}
