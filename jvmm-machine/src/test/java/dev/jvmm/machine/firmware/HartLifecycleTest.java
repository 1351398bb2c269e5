package dev.jvmm.machine.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HartLifecycleTest {

    @Test
    void builtinSbiStartsOnlyHartZero() {
        HartLifecycle l = new HartLifecycle(3, false);
        assertThat(l.state(0)).isEqualTo(HartState.STARTED);
        assertThat(l.state(1)).isEqualTo(HartState.STOPPED);
        assertThat(l.state(2)).isEqualTo(HartState.STOPPED);
        assertThat(new HartLifecycle(2, true).state(1)).isEqualTo(HartState.STARTED);
    }

    @Test
    void stoppedHartThreadReceivesStartRequestFromAnotherThread() throws Exception {
        HartLifecycle l = new HartLifecycle(2, false);
        CompletableFuture<Optional<HartLifecycle.Entry>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return l.awaitStart(1, TimeUnit.SECONDS.toNanos(10));
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(l.requestStart(1, new HartLifecycle.Entry(0x8020_0000L, 5))).isTrue();
        assertThat(waiter.get(10, TimeUnit.SECONDS)).contains(new HartLifecycle.Entry(0x8020_0000L, 5));
        assertThat(l.state(1)).isEqualTo(HartState.STARTED);
    }

    @Test
    void awaitStartTimesOutWithoutRequest() throws Exception {
        assertThat(new HartLifecycle(2, false).awaitStart(1, TimeUnit.MILLISECONDS.toNanos(5))).isEmpty();
    }

    @Test
    void nonRetentiveSuspendResumesAtGivenEntry() {
        HartLifecycle l = new HartLifecycle(1, false);
        assertThat(l.suspend(0, Optional.of(new HartLifecycle.Entry(0x8000_1000L, 9)))).isTrue();
        assertThat(l.resume(0)).contains(new HartLifecycle.Entry(0x8000_1000L, 9));
        assertThat(l.state(0)).isEqualTo(HartState.STARTED);
    }

    @Test
    void allStoppedOnlyWhenNoHartRunsOrIsPending() {
        HartLifecycle l = new HartLifecycle(2, false);
        assertThat(l.allStopped()).isFalse();
        l.stop(0);
        assertThat(l.allStopped()).isTrue();
        l.requestStart(1, new HartLifecycle.Entry(0, 0));
        assertThat(l.allStopped()).isFalse();
    }
}
