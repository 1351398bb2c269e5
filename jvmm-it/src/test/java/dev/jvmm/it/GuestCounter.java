package dev.jvmm.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program in the guest that counts and prints {@code count-N} about ten times a second, in
 * the background of the guest's shell, so the shell stays usable. Snapshots and migrations
 * must carry it on without a gap or a reset.
 */
final class GuestCounter {

    static final String START = "(i=0; while true; do i=$((i+1)); echo count-$i; sleep 0.1; done) &\n";
    private static final Pattern COUNT = Pattern.compile("count-(\\d+)\\r?\\n");

    private GuestCounter() {
    }

    /** Every complete {@code count-N} line in {@code console}, in order. */
    static List<Long> counts(String console) {
        List<Long> counts = new ArrayList<>();
        Matcher m = COUNT.matcher(console);
        while (m.find()) {
            counts.add(Long.parseLong(m.group(1)));
        }
        return counts;
    }

    /** Waits until the guest has printed count {@code n}. */
    static void awaitCount(GuestUnderTest guest, long n, Duration timeout) throws InterruptedException {
        guest.waitFor("count-" + n + "\r\n", timeout);
    }
}
