package dev.jvmm.devices;

import static dev.jvmm.devices.StateRecords.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.state.StateException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Uart16550StateTest {

    private static final int RBR_THR = 0;
    private static final int IER = 1;
    private static final int IIR_FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private final Uart16550 uart = new Uart16550(new RecordingLine(), new ByteArrayOutputStream());
    private final RecordingLine irq = new RecordingLine();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Uart16550 restored = new Uart16550(irq, output);

    private static void receive(Uart16550 uart, String text) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        uart.receive(bytes, 0, bytes.length);
    }

    private static String readAll(Uart16550 uart) {
        StringBuilder text = new StringBuilder();
        while ((uart.read(LSR, 1) & 0x01) != 0) {
            text.append((char) uart.read(RBR_THR, 1));
        }
        return text.toString();
    }

    /** 8N1 at divisor 0x0102, FIFOs on, RDA and THRE interrupts on, "ello world" unread. */
    private byte[] savedUart() throws InterruptedException {
        uart.write(LCR, 1, 0x83);
        uart.write(RBR_THR, 1, 0x02);
        uart.write(IER, 1, 0x01);
        uart.write(LCR, 1, 0x03);
        uart.write(IIR_FCR, 1, 0x01);
        uart.write(IER, 1, 0x03);
        uart.write(SCR, 1, 0x5A);
        uart.write(MCR, 1, 0x0B);
        receive(uart, "hello world");
        assertThat(uart.read(RBR_THR, 1)).isEqualTo('h');
        return save(uart);
    }

    @Test
    void unreadInputReadsBackAfterRestore() throws Exception {
        restore(restored, savedUart());

        assertThat(irq.level()).isTrue();
        assertThat(readAll(restored)).isEqualTo("ello world");
        assertThat(readAll(uart)).isEqualTo("ello world");
    }

    @Test
    void registersReadBackLikeTheOriginal() throws Exception {
        byte[] record = savedUart();
        restore(restored, record);

        for (int register : new int[] {IER, LCR, MCR, LSR, SCR}) {
            assertThat(restored.read(register, 1)).as("register %d", register).isEqualTo(uart.read(register, 1));
        }
        restored.write(LCR, 1, 0x83);
        assertThat(restored.read(RBR_THR, 1)).as("DLL").isEqualTo(0x02);
        assertThat(restored.read(IER, 1)).as("DLM").isEqualTo(0x01);
    }

    @Test
    void pendingThrEmptyInterruptSurvivesRestore() throws Exception {
        uart.write(IER, 1, 0x02);
        restore(restored, save(uart));

        assertThat(irq.level()).isTrue();
        assertThat(restored.read(IIR_FCR, 1) & 0x0F).isEqualTo(0x02);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void loopbackFifoAndModemStatusSurviveRestore() throws Exception {
        uart.write(MCR, 1, 0x10 | 0x02); // loopback with RTS: CTS follows
        uart.write(RBR_THR, 1, 'x');
        uart.write(RBR_THR, 1, 'y');
        restore(restored, save(uart));

        assertThat(restored.read(MSR, 1)).isEqualTo(uart.read(MSR, 1));
        assertThat(restored.read(LSR, 1) & 0x02).as("overrun of the one-byte FIFO").isEqualTo(0x02);
        assertThat(readAll(restored)).isEqualTo("x");
        assertThat(output.size()).isZero();
    }

    @Test
    void inputHeldBackAfterFifoClearStaysHeld() throws Exception {
        receive(uart, "abc");
        uart.write(IIR_FCR, 1, 0x07); // Linux's clear; host input is held until RDA is enabled
        restore(restored, save(uart));

        assertThat(restored.read(LSR, 1) & 0x01).isZero();
        restored.write(IER, 1, 0x01);
        assertThat(readAll(restored)).isEqualTo("abc");
    }

    // Layout: DLL, DLM, IER, LCR, MCR, FCR, SCR, line errors, MSR, THRE pending, input held, ...
    @Test
    void impossibleRegisterValuesAreRefused() throws Exception {
        byte[] record = savedUart();
        assertRefusedAndUnchanged(restored, withByte(record, 2, 0x10)); // IER has 4 bits
        assertRefusedAndUnchanged(restored, withByte(record, 4, 0x20)); // MCR has 5
        assertRefusedAndUnchanged(restored, withByte(record, 5, 0x02)); // FCR keeps no clear bit
        assertRefusedAndUnchanged(restored, withByte(record, 7, 0x01)); // DR is not a line error
        assertRefusedAndUnchanged(restored, withByte(record, 8, 0x00)); // MSR must show a terminal
        assertRefusedAndUnchanged(restored, withByte(record, 9, 2));
    }

    @Test
    void backlogLargerThanThisUartTakesIsRefused() throws Exception {
        Uart16550 small = new Uart16550(new RecordingLine(), new ByteArrayOutputStream(), 4);
        assertRefusedAndUnchanged(small, savedUart());
    }

    @Test
    void truncatedRecordsAndOtherVersionsAreRefusedWithoutEffect() throws Exception {
        byte[] record = savedUart();
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
        assertThat(irq.history()).isEmpty();
    }

    @Test
    void quiescedUartTakesNoInputUntilUnquiesced() throws Exception {
        restored.write(IER, 1, 0x01);
        restored.quiesce();
        CompletableFuture<Void> typing = CompletableFuture.runAsync(() -> {
            try {
                receive(restored, "hi");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(typing).isNotDone();
        assertThat(restored.read(LSR, 1) & 0x01).isZero();
        assertThat(irq.level()).isFalse();

        restored.unquiesce();
        typing.get(5, TimeUnit.SECONDS);
        assertThat(readAll(restored)).isEqualTo("hi");
    }

    @Test
    void quiesceAndUnquiesceAreIdempotent() throws Exception {
        restored.quiesce();
        restored.quiesce();
        restored.unquiesce();
        restored.unquiesce();
        receive(restored, "ok");
        assertThat(readAll(restored)).isEqualTo("ok");
    }
}
