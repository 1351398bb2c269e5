package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Uart16550Test {

    private static final int RBR_THR = 0;
    private static final int IER = 1;
    private static final int IIR_FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private final RecordingLine irq = new RecordingLine();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Uart16550 uart = new Uart16550(irq, output);

    private int reg(int offset) {
        return (int) uart.read(offset, 1);
    }

    private void set(int offset, int value) {
        uart.write(offset, 1, value);
    }

    private void receive(String text) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        uart.receive(bytes, 0, bytes.length);
    }

    @Test
    void resetStateHasEmptyTransmitterAndNoInterrupt() {
        assertThat(reg(LSR)).isEqualTo(0x60);
        assertThat(reg(IIR_FCR)).isEqualTo(0x01);
        assertThat(reg(MSR)).isEqualTo(0xB0);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void transmittedByteReachesOutputImmediately() {
        set(RBR_THR, 'h');
        set(RBR_THR, 'i');
        assertThat(output.toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        assertThat(reg(LSR) & 0x60).isEqualTo(0x60);
    }

    @Test
    void thrInterruptIsReassertedWhenEtbeiIsSetWithEmptyThr() {
        set(IER, 0x02);
        assertThat(irq.level()).isTrue();
        assertThat(reg(IIR_FCR)).isEqualTo(0x02);
        // The IIR read acknowledged THRE.
        assertThat(irq.level()).isFalse();
        assertThat(reg(IIR_FCR)).isEqualTo(0x01);

        set(IER, 0x00);
        set(IER, 0x02);
        assertThat(irq.level()).isTrue();
        assertThat(reg(IIR_FCR)).isEqualTo(0x02);
    }

    @Test
    void writingThrClearsAndRearmsThreInterrupt() {
        set(IER, 0x02);
        reg(IIR_FCR);
        assertThat(irq.level()).isFalse();

        set(RBR_THR, 'x');

        assertThat(irq.level()).isTrue();
        assertThat(reg(IIR_FCR)).isEqualTo(0x02);
    }

    @Test
    void receivedDataRaisesRdaWhichOutranksThre() throws InterruptedException {
        set(IER, 0x03);
        receive("ab");

        assertThat(reg(LSR) & 0x01).isEqualTo(0x01);
        assertThat(reg(IIR_FCR)).isEqualTo(0x04);
        assertThat(reg(RBR_THR)).isEqualTo('a');
        assertThat(reg(RBR_THR)).isEqualTo('b');
        assertThat(reg(LSR) & 0x01).isZero();
        assertThat(reg(IIR_FCR)).isEqualTo(0x02);
    }

    @Test
    void irqFollowsReceivedDataWhenOnlyRdaIsEnabled() throws InterruptedException {
        set(IER, 0x01);
        assertThat(irq.level()).isFalse();
        receive("z");
        assertThat(irq.level()).isTrue();
        reg(RBR_THR);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void hostInputSurvivesReceiveFifoClear() throws InterruptedException {
        receive("hello");
        set(IIR_FCR, 0x07); // enable FIFOs, clear receive and transmit FIFOs
        set(IIR_FCR, 0x03); // clear receive FIFO again
        set(IER, 0x01); // the driver is ready: received-data interrupt on

        StringBuilder seen = new StringBuilder();
        while ((reg(LSR) & 0x01) != 0) {
            seen.append((char) reg(RBR_THR));
        }
        assertThat(seen).hasToString("hello");
    }

    @Test
    void blindReadsWhileTheDriverResetsTheChipDoNotEatHostInput() throws InterruptedException {
        receive("echo");
        // Linux's 8250 start-up: clear the FIFOs, then read LSR, RBR, IIR and MSR to clear
        // interrupt state, twice, before it enables the received-data interrupt.
        set(IIR_FCR, 0x07);
        for (int i = 0; i < 2; i++) {
            assertThat(reg(LSR) & 0x01).as("data ready while held").isZero();
            reg(RBR_THR);
            reg(IIR_FCR);
            reg(MSR);
        }
        set(IER, 0x05);

        StringBuilder seen = new StringBuilder();
        while ((reg(LSR) & 0x01) != 0) {
            seen.append((char) reg(RBR_THR));
        }
        assertThat(seen).hasToString("echo");
    }

    @Test
    void pollingDriverSeesHostInputOnceItHasTransmitted() throws InterruptedException {
        receive("x");
        set(IIR_FCR, 0x07); // U-Boot's init clears the FIFOs and never enables interrupts
        assertThat(reg(LSR) & 0x01).isZero();
        set(RBR_THR, '>'); // its prompt
        assertThat(reg(LSR) & 0x01).isEqualTo(1);
        assertThat(reg(RBR_THR)).isEqualTo('x');
    }

    @Test
    void iirReportsFifosEnabledOnlyWhileFcrEnablesThem() {
        set(IIR_FCR, 0xC1);
        assertThat(reg(IIR_FCR)).isEqualTo(0xC1);
        set(IIR_FCR, 0x00);
        assertThat(reg(IIR_FCR)).isEqualTo(0x01);
    }

    @Test
    void divisorLatchIsVisibleOnlyWithDlab() {
        set(LCR, 0x83);
        set(0, 0x01);
        set(1, 0x02);
        assertThat(reg(0)).isEqualTo(0x01);
        assertThat(reg(1)).isEqualTo(0x02);
        assertThat(output.size()).isZero();

        set(LCR, 0x03);
        assertThat(reg(LCR)).isEqualTo(0x03);
        assertThat(reg(1)).isZero(); // IER, not DLM
        set(0, 'q');
        assertThat(output.toString(StandardCharsets.US_ASCII)).isEqualTo("q");
    }

    @Test
    void loopbackRoutesTransmittedBytesToReceiverNotOutput() throws InterruptedException {
        receive("host");
        set(IIR_FCR, 0x01);
        set(MCR, 0x10);
        set(RBR_THR, 'L');

        assertThat(output.size()).isZero();
        assertThat(reg(RBR_THR)).isEqualTo('L');
        // Host input waits until loopback ends.
        assertThat(reg(LSR) & 0x01).isZero();
        set(MCR, 0x00);
        set(IER, 0x01); // the FIFO enable above cleared it: input shows once the driver is ready
        assertThat(reg(RBR_THR)).isEqualTo('h');
    }

    @Test
    void loopbackOverrunSetsOverrunErrorAndLineStatusInterrupt() {
        set(MCR, 0x10); // FIFOs disabled: a one-byte receiver
        set(IER, 0x04);
        set(RBR_THR, '1');
        set(RBR_THR, '2');

        assertThat(reg(IIR_FCR)).isEqualTo(0x06);
        assertThat(reg(LSR) & 0x03).isEqualTo(0x03);
        assertThat(reg(LSR) & 0x02).isZero(); // reading LSR cleared OE
        assertThat(reg(IIR_FCR)).isEqualTo(0x01);
        assertThat(reg(RBR_THR)).isEqualTo('1');
    }

    @Test
    void loopbackModemStatusFollowsModemControl() {
        set(MCR, 0x1A); // loop, RTS, OUT2: Linux's 8250 probe
        assertThat(reg(MSR) & 0xF0).isEqualTo(0x90);
        set(MCR, 0x15); // loop, DTR, OUT1
        assertThat(reg(MSR) & 0xF0).isEqualTo(0x60);
        set(MCR, 0x00);
        assertThat(reg(MSR) & 0xF0).isEqualTo(0xB0);
    }

    @Test
    void modemStatusChangeRaisesInterruptUntilMsrIsRead() {
        set(IER, 0x08);
        reg(MSR);
        set(MCR, 0x10); // loopback with all outputs low: CTS, DSR, DCD fall
        assertThat(irq.level()).isTrue();
        assertThat(reg(IIR_FCR)).isEqualTo(0x00);
        assertThat(reg(MSR) & 0x0F).isEqualTo(0x0B);
        assertThat(irq.level()).isFalse();
        assertThat(reg(MSR) & 0x0F).isZero();
    }

    @Test
    void receiveBlocksWhileBacklogIsFullAndResumesWhenGuestDrains() throws Exception {
        Uart16550 small = new Uart16550(irq, output, 4);
        byte[] input = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                small.receive(input, 0, input.length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(producer.getState()).isEqualTo(Thread.State.WAITING);

        StringBuilder seen = new StringBuilder();
        while (seen.length() < input.length && System.nanoTime() < deadline) {
            if ((small.read(LSR, 1) & 0x01) != 0) {
                seen.append((char) small.read(RBR_THR, 1));
            } else {
                Thread.onSpinWait();
            }
        }
        producer.join(5000);
        assertThat(seen).hasToString("abcdefgh");
        assertThat(producer.isAlive()).isFalse();
    }

    @Test
    void brokenOutputDoesNotReachTheGuest() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("console closed");
            }
        };
        Uart16550 device = new Uart16550(irq, broken);
        assertThatCode(() -> {
            device.write(RBR_THR, 1, 'a');
            device.write(RBR_THR, 1, 'b');
        }).doesNotThrowAnyException();
        assertThat(device.read(LSR, 1) & 0x60).isEqualTo(0x60);
    }

    @Test
    void scratchRegisterKeepsValueAndUnknownOffsetsReadZero() {
        set(SCR, 0x5A);
        assertThat(reg(SCR)).isEqualTo(0x5A);
        uart.write(0x40, 1, 0x12);
        assertThat(uart.read(0x40, 1)).isZero();
        assertThat(uart.read(-1, 1)).isZero();
        assertThat(output.size()).isZero();
    }
}
