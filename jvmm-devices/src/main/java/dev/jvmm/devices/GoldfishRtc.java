package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The Goldfish real-time clock as on QEMU's {@code virt} board (base 0x10_1000, PLIC source 11):
 * wall time in nanoseconds since the Unix epoch, and one alarm.
 *
 * <p>Registers (32 bits): TIME_LOW 0x00 (reading it latches the high half for TIME_HIGH),
 * TIME_HIGH 0x04, ALARM_LOW 0x08 (writing it arms the alarm at ALARM_HIGH:ALARM_LOW), ALARM_HIGH
 * 0x0C, IRQ_ENABLED 0x10, CLEAR_ALARM 0x14, ALARM_STATUS 0x18 (1 while armed), CLEAR_INTERRUPT
 * 0x1C. Writing either half of TIME sets the guest's time by keeping an offset from the host
 * clock. An alarm at or before the current time fires at once. The interrupt line is high while
 * an alarm has fired, not yet been cleared, and IRQ_ENABLED is 1. An 8-byte aligned access acts
 * on both halves (a write stores the high half first, so TIME and ALARM come out whole).
 *
 * <p>A future alarm is timed by a virtual thread that sleeps until the deadline and then checks
 * the clock again. While the RTC is {@linkplain #quiesce() quiesced} that thread does not fire
 * the alarm; {@link #unquiesce()} fires an alarm whose time passed meanwhile. The RTC follows the
 * host's wall clock, which does not stop while the machine is paused, so a restored alarm whose
 * time has passed fires at once.
 *
 * <p>State: the alarm (time, armed), IRQ_ENABLED, a fired alarm not yet cleared, the latched
 * TIME_HIGH, and the offset the guest set by writing TIME (0 unless it did). The time itself
 * is not state: a restored RTC reads the host's wall clock plus that offset. A restore re-arms
 * the alarm and drives the interrupt line to match.
 */
public final class GoldfishRtc implements MmioDevice, Stateful {

    public static final long TIME_LOW = 0x00;
    public static final long TIME_HIGH = 0x04;
    public static final long ALARM_LOW = 0x08;
    public static final long ALARM_HIGH = 0x0C;
    public static final long IRQ_ENABLED = 0x10;
    public static final long CLEAR_ALARM = 0x14;
    public static final long ALARM_STATUS = 0x18;
    public static final long CLEAR_INTERRUPT = 0x1C;

    private static final long LOW_MASK = 0xFFFF_FFFFL;

    private final InterruptLine irq;
    private final LongSupplier hostNanos;

    private long offsetNanos;
    private long latchedTimeHigh;
    private long alarm;
    private boolean alarmArmed;
    private boolean irqEnabled;
    private boolean alarmFired;
    private boolean irqLevel;
    private boolean quiesced;
    private long alarmGeneration;
    private Thread alarmThread;

    /** An RTC that reads the host's wall clock. */
    public GoldfishRtc(InterruptLine irq) {
        this(irq, GoldfishRtc::hostWallClockNanos);
    }

    /** An RTC that reads {@code hostNanos} (nanoseconds since the epoch), e.g. a test's clock. */
    public GoldfishRtc(InterruptLine irq, LongSupplier hostNanos) {
        this.irq = Objects.requireNonNull(irq, "irq");
        this.hostNanos = Objects.requireNonNull(hostNanos, "hostNanos");
    }

    /**
     * Keeps the alarm thread from firing (changing the RTC's state and its line) until
     * {@link #unquiesce()}; the guest's own register accesses still act. Idempotent.
     */
    public synchronized void quiesce() {
        quiesced = true;
    }

    /** Lets the alarm fire again, at once if its time passed while quiesced. Idempotent. */
    public synchronized void unquiesce() {
        if (!quiesced) {
            return;
        }
        quiesced = false;
        if (alarmArmed) {
            armAlarm();
        }
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public synchronized void saveState(StateWriter out) {
        out.putLong(offsetNanos).putLong(latchedTimeHigh).putLong(alarm)
                .putBoolean(alarmArmed).putBoolean(irqEnabled).putBoolean(alarmFired);
    }

    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        if (version != 1) {
            throw in.bad("version", version + " is not understood (this RTC writes 1)");
        }
        long newOffset = in.getLong("time offset");
        long newLatchedHigh = in.getLong("latched TIME_HIGH");
        if (newLatchedHigh < 0 || newLatchedHigh > LOW_MASK) {
            throw in.bad("latched TIME_HIGH", "0x%x is wider than 32 bits".formatted(newLatchedHigh));
        }
        long newAlarm = in.getLong("alarm");
        boolean newArmed = in.getBoolean("alarm armed");
        boolean newIrqEnabled = in.getBoolean("irq enabled");
        boolean newFired = in.getBoolean("alarm fired");
        in.expectEnd();
        synchronized (this) {
            disarmAlarm();
            offsetNanos = newOffset;
            latchedTimeHigh = newLatchedHigh;
            alarm = newAlarm;
            irqEnabled = newIrqEnabled;
            alarmFired = newFired;
            if (newArmed) {
                armAlarm(); // fires at once if its time passed while the machine was saved
            }
            // Driven even if unchanged: the PLIC at the far end is restored too.
            irqLevel = alarmFired && irqEnabled;
            irq.set(irqLevel);
        }
    }

    private static long hostWallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public long read(long offset, int size) {
        if (size == 8 && (offset & 7) == 0) {
            return readWord(offset) | readWord(offset + 4) << 32;
        }
        if (size == 4 && (offset & 3) == 0) {
            return readWord(offset);
        }
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size == 8 && (offset & 7) == 0) {
            writeWord(offset + 4, value >>> 32);
            writeWord(offset, value & LOW_MASK);
        } else if (size == 4 && (offset & 3) == 0) {
            writeWord(offset, value & LOW_MASK);
        }
    }

    private synchronized long readWord(long offset) {
        if (offset == TIME_LOW) {
            long now = now();
            latchedTimeHigh = now >>> 32;
            return now & LOW_MASK;
        } else if (offset == TIME_HIGH) {
            return latchedTimeHigh;
        } else if (offset == ALARM_LOW) {
            return alarm & LOW_MASK;
        } else if (offset == ALARM_HIGH) {
            return alarm >>> 32;
        } else if (offset == IRQ_ENABLED) {
            return irqEnabled ? 1 : 0;
        } else if (offset == ALARM_STATUS) {
            return alarmArmed ? 1 : 0;
        }
        return 0;
    }

    private synchronized void writeWord(long offset, long word) {
        if (offset == TIME_LOW) {
            setTime((now() & ~LOW_MASK) | word);
        } else if (offset == TIME_HIGH) {
            setTime((now() & LOW_MASK) | word << 32);
        } else if (offset == ALARM_LOW) {
            alarm = (alarm & ~LOW_MASK) | word;
            armAlarm();
        } else if (offset == ALARM_HIGH) {
            alarm = (alarm & LOW_MASK) | word << 32;
        } else if (offset == IRQ_ENABLED) {
            irqEnabled = (word & 1) != 0;
            updateIrq();
        } else if (offset == CLEAR_ALARM) {
            disarmAlarm();
        } else if (offset == CLEAR_INTERRUPT) {
            alarmFired = false;
            updateIrq();
        }
    }

    private long now() {
        return hostNanos.getAsLong() + offsetNanos;
    }

    // Caller holds the lock.
    private void setTime(long guestNanos) {
        offsetNanos = guestNanos - hostNanos.getAsLong();
        if (alarmArmed) {
            armAlarm(); // the deadline moved relative to the host clock
        }
    }

    // Caller holds the lock.
    private void armAlarm() {
        disarmAlarm();
        if (Long.compareUnsigned(alarm, now()) <= 0) {
            fire();
            return;
        }
        alarmArmed = true;
        long generation = alarmGeneration;
        alarmThread = Thread.ofVirtual().name("goldfish-rtc-alarm").start(() -> awaitAlarm(generation));
    }

    // Caller holds the lock.
    private void disarmAlarm() {
        alarmArmed = false;
        alarmGeneration++;
        if (alarmThread != null) {
            alarmThread.interrupt();
            alarmThread = null;
        }
    }

    // Caller holds the lock.
    private void fire() {
        alarmArmed = false;
        alarmFired = true;
        updateIrq();
    }

    private void awaitAlarm(long generation) {
        while (true) {
            long remaining;
            synchronized (this) {
                if (generation != alarmGeneration) {
                    return;
                }
                if (quiesced) {
                    alarmThread = null; // still armed; unquiesce() starts a new wait
                    return;
                }
                long now = now();
                if (Long.compareUnsigned(alarm, now) <= 0) {
                    alarmThread = null;
                    fire();
                    return;
                }
                remaining = alarm - now;
                if (remaining < 0) {
                    remaining = Long.MAX_VALUE; // more than 292 years away
                }
            }
            try {
                Thread.sleep(Duration.ofNanos(remaining));
            } catch (InterruptedException e) {
                return; // disarmed
            }
        }
    }

    // Caller holds the lock.
    private void updateIrq() {
        boolean level = alarmFired && irqEnabled;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}
