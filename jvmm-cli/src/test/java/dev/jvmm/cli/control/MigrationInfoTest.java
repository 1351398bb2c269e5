package dev.jvmm.cli.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import dev.jvmm.machine.migration.MigrationStatus;
import org.junit.jupiter.api.Test;

class MigrationInfoTest {

    @Test
    void pagesBecomeBytesAndTheStateIsLowerCase() {
        MigrationInfo info = MigrationInfo.of(new MigrationStatus(MigrationStatus.State.ACTIVE, 100, 30, 70, 5, 9, 0, 2000, 20,
                Optional.empty(), 12345));
        // transferred counts the bytes on the wire (zero pages are cheap), not pages times 4 KiB
        assertThat(info).isEqualTo(new MigrationInfo("active", 100 * 4096, 12345, 70 * 4096, 5, 9, 0, 2000, 20, Optional.empty()));
        assertThat(info.fractionDone()).isEqualTo(0.3);
    }

    @Test
    void aCompletedMigrationReportsDowntimeNotExpectedDowntime() {
        Map<String, Object> qmp = new MigrationInfo("completed", 4096, 4096, 0, 0, 3, 12, 800, 0, Optional.empty()).toQmp();
        assertThat(qmp).containsEntry("status", "completed").containsEntry("downtime", 12L).containsEntry("total-time", 800L)
                .doesNotContainKeys("expected-downtime", "error-desc", "cpu-throttle-percentage");
    }

    @Test
    void aFailedMigrationCarriesItsError() {
        Map<String, Object> qmp = new MigrationInfo("failed", 4096, 0, 4096, 0, 0, 0, 5, 0, Optional.of("refused")).toQmp();
        assertThat(qmp).containsEntry("error-desc", "refused").doesNotContainKeys("downtime", "expected-downtime");
    }

    @Test
    void throttlingIsReportedUnderBothNames() {
        Map<String, Object> qmp = new MigrationInfo("active", 4096, 0, 4096, 0, 0, 0, 5, 40, Optional.empty()).toQmp();
        assertThat(qmp).containsEntry("throttle-percent", 40).containsEntry("cpu-throttle-percentage", 40);
    }

    @Test
    void theClientReadsBackWhatTheServerWrote() throws Exception {
        MigrationInfo sent = new MigrationInfo("active", 1 << 20, 1 << 19, 1 << 18, 321, 45, 0, 1500, 10, Optional.empty());
        // Through JSON, as on the socket: numbers come back as Integer or Long.
        String json = com.fasterxml.jackson.jr.ob.JSON.std.asString(sent.toQmp());
        assertThat(MigrationInfo.fromQmp(com.fasterxml.jackson.jr.ob.JSON.std.mapFrom(json))).isEqualTo(sent);
    }

    @Test
    void anEmptyReplyReadsAsSetup() {
        assertThat(MigrationInfo.fromQmp(Map.of()).status()).isEqualTo("setup");
    }
}
