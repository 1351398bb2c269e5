package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The qcow2 promise: writes are ordered so that killing jvmm at any moment (kill -9) leaves an
 * image that {@code qemu-img check} accepts, and every write the guest saw flushed is there after
 * restart.
 *
 * <p>A qcow2 overlay over a raw base (both made by qemu-img, the reference) is attached as
 * {@code /dev/vda}. The guest writes 4 KiB blocks, each to its own scattered offset and each
 * ended by {@code dd conv=fsync}, and prints {@code flushed-I} after each; jvmm is killed with
 * SIGKILL while the loop runs. qemu-img then checks the overlay and converts it to raw, and the
 * test compares every block: flushed blocks hold their write, blocks no write touched hold the
 * base, and the base file itself is unchanged.
 */
class CrashConsistencyIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration WRITES = Duration.ofMinutes(3);

    private static final int BLOCK = 4096;
    /** 16 MiB: the base's and the overlay's virtual size. */
    private static final int BLOCKS = 4096;
    /** Block of write i is (i * STRIDE) % SPREAD: distinct for i below SPREAD (37 is prime to 4000). */
    private static final int STRIDE = 37;
    private static final int SPREAD = 4000;
    /** SIGKILL's status as Java reports it: 128 + 9. */
    private static final int KILLED = 137;

    private static final Pattern FLUSHED = Pattern.compile("flushed-(\\d+)");

    @TempDir
    Path dir;

    private Path base;
    private Path overlay;
    private byte[] baseContent;

    @BeforeEach
    void createBaseAndOverlay() throws Exception {
        base = dir.resolve("base.raw");
        overlay = dir.resolve("overlay.qcow2");
        baseContent = new byte[BLOCKS * BLOCK];
        for (int b = 0; b < BLOCKS; b++) {
            System.arraycopy(baseBlock(b), 0, baseContent, b * BLOCK, BLOCK);
        }
        Files.write(base, baseContent);
        // Default 64 KiB clusters: each 4 KiB guest write copies the rest of its cluster from the base.
        assertThat(qemuImg("create", "-f", "qcow2", "-b", base.toAbsolutePath().toString(), "-F", "raw",
                overlay.toString()).status()).isZero();
    }

    @Test
    void killDuringALongRunOfFlushedWritesLeavesACheckedImageHoldingEveryFlushedBlock() throws Exception {
        Set<Integer> flushed;
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--drive", overlay + ",format=qcow2")) {
            guest.waitForShell(BOOT);
            guest.type(writeLoop(0, 400));
            guest.waitFor("flushed-40", WRITES);
            flushed = kill(guest, 0);
        }
        assertThat(flushed).as("flushed writes seen before the kill").hasSizeGreaterThanOrEqualTo(41);

        assertCheckAccepts(overlay);
        assertImageHolds(flushed, inFlight(flushed));
        assertThat(Files.readAllBytes(base)).as("the base image is unchanged").isEqualTo(baseContent);
    }

    @Test
    void killEarlyAndMidWriteLeavesACheckedImageThatBootsAgainAndReadsBackItsFlushedBlocks() throws Exception {
        Set<Integer> flushed;
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--drive", overlay + ",format=qcow2")) {
            guest.waitForShell(BOOT);
            guest.type(writeLoop(0, 400));
            guest.waitFor("flushed-4", WRITES);
            long start = System.nanoTime();
            guest.waitFor("flushed-5", WRITES);
            // Half a write's time after the fifth: most likely inside the next dd or its fsync.
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 2);
            flushed = kill(guest, 0);
        }
        assertThat(flushed).as("flushed writes seen before the kill").hasSizeGreaterThanOrEqualTo(6);

        Set<Integer> inFlight = inFlight(flushed);
        assertCheckAccepts(overlay);
        assertImageHolds(flushed, inFlight);
        assertThat(Files.readAllBytes(base)).as("the base image is unchanged").isEqualTo(baseContent);

        // The crashed image boots again: the guest reads back a flushed block and an untouched
        // one, and one more write after the crash lands and survives a clean poweroff.
        int readBack = 3;
        int untouched = BLOCKS - 1; // beyond SPREAD: no write goes there
        int afterCrash = 1000;
        Set<Integer> all = new TreeSet<>(flushed);
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--drive", overlay + ",format=qcow2")) {
            guest.waitForShell(BOOT);
            assertThat(guest.shell("dd if=/dev/vda bs=4096 skip=" + blockOf(readBack) + " count=1 2>/dev/null | head -c 20; echo",
                    COMMAND)).as("flushed block read back in the guest").contains("block-3\r\nblock-3\r\nbl");
            assertThat(guest.shell(md5Command(blockOf(readBack)), COMMAND))
                    .as("md5 of write " + readBack + "'s block in the guest").contains(md5(writtenBlock(readBack)));
            assertThat(guest.shell(md5Command(untouched), COMMAND))
                    .as("md5 of an untouched block in the guest").contains(md5(baseBlock(untouched)));

            guest.shell(writeLoop(afterCrash, afterCrash + 1).strip(), COMMAND);
            all.addAll(flushedWrites(guest.console()));
            assertThat(all).as("the write after the crash was flushed").contains(afterCrash);
            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).as("exit status after guest poweroff").isZero();
        }
        assertCheckAccepts(overlay);
        assertImageHolds(all, inFlight); // the clean run adds no unsettled writes
        assertThat(Files.readAllBytes(base)).as("the base image is unchanged").isEqualTo(baseContent);
    }

    /**
     * The guest's write loop for writes first..limit-1: write i fills its block with the line
     * "block-i" repeated, syncs it to the disk and only then prints "flushed-i".
     */
    private static String writeLoop(int first, int limit) {
        return "i=" + first + "; while [ $i -lt " + limit + " ]; do"
                + " yes block-$i | head -c " + BLOCK + " > /tmp/blk"
                + " && dd if=/tmp/blk of=/dev/vda bs=" + BLOCK + " seek=$(( (i*" + STRIDE + ") % " + SPREAD + " ))"
                + " count=1 conv=fsync 2>/dev/null"
                + " || { echo write-failed-$i; break; }; echo flushed-$i; i=$((i+1)); done\n";
    }

    private static String md5Command(int block) {
        return "dd if=/dev/vda bs=" + BLOCK + " skip=" + block + " count=1 2>/dev/null | md5sum";
    }

    /** SIGKILLs jvmm and returns the writes it had reported flushed, checked to run on from {@code first}. */
    private static Set<Integer> kill(GuestUnderTest guest, int first) throws InterruptedException {
        guest.close(); // Process.destroyForcibly: SIGKILL on Linux
        assertThat(guest.waitForExit(COMMAND)).as("jvmm's status after the kill: killed by SIGKILL").isEqualTo(KILLED);
        Thread.sleep(300); // let the console pump take the last bytes jvmm wrote before it died
        String console = guest.console();
        assertThat(console).as("no write failed in the guest").doesNotContainPattern("write-failed-\\d");
        Set<Integer> flushed = flushedWrites(console);
        List<Integer> expected = new ArrayList<>();
        for (int i = first; i < first + flushed.size(); i++) {
            expected.add(i);
        }
        assertThat(flushed).as("flushed writes run without a gap").containsExactlyElementsOf(expected);
        return flushed;
    }

    /**
     * The writes of a killed loop that may have reached the disk in part or not at all: the one
     * after the last seen flushed, and one more in case the kill swallowed a console line.
     */
    private static Set<Integer> inFlight(Set<Integer> flushed) {
        int last = flushed.stream().mapToInt(Integer::intValue).max().orElseThrow();
        return Set.of(last + 1, last + 2);
    }

    private static Set<Integer> flushedWrites(String console) {
        Set<Integer> flushed = new TreeSet<>();
        Matcher m = FLUSHED.matcher(console);
        while (m.find()) {
            flushed.add(Integer.parseInt(m.group(1)));
        }
        return flushed;
    }

    /**
     * Converts the overlay to raw with qemu-img and compares every block. Flushed writes must hold
     * their content exactly; the blocks of writes cut by a kill are not judged; every other block
     * holds the base's content.
     */
    private void assertImageHolds(Set<Integer> flushed, Set<Integer> inFlight) throws Exception {
        Path converted = dir.resolve("converted-" + System.nanoTime() + ".raw");
        QemuImg convert = qemuImg("convert", "-f", "qcow2", "-O", "raw", overlay.toString(), converted.toString());
        assertThat(convert.status()).as("qemu-img convert:\n" + convert.output()).isZero();
        byte[] image = Files.readAllBytes(converted);
        Files.delete(converted);
        assertThat(image.length).as("converted size").isEqualTo(BLOCKS * BLOCK);

        Map<Integer, Integer> writeAtBlock = new TreeMap<>();
        for (int i : flushed) {
            writeAtBlock.put(blockOf(i), i);
        }
        Set<Integer> unjudged = new TreeSet<>();
        for (int i : inFlight) {
            unjudged.add(blockOf(i));
        }

        List<String> wrong = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            byte[] actual = Arrays.copyOfRange(image, b * BLOCK, (b + 1) * BLOCK);
            Integer write = writeAtBlock.get(b);
            if (write != null) {
                if (!Arrays.equals(actual, writtenBlock(write))) {
                    wrong.add("block " + b + " (flushed write " + write + ") starts '" + preview(actual) + "'");
                }
            } else if (!unjudged.contains(b) && !Arrays.equals(actual, baseBlock(b))) {
                wrong.add("block " + b + " (never written) starts '" + preview(actual) + "'");
            }
        }
        assertThat(wrong).as("blocks whose content is wrong in the converted overlay").isEmpty();
    }

    /**
     * qemu-img check must find no corruption: status 0 ("No errors were found"), or 3 when it
     * finds only leaked clusters, which its documentation calls wasted space and no harm to data.
     */
    private static void assertCheckAccepts(Path image) throws Exception {
        QemuImg check = qemuImg("check", image.toString());
        String why = "qemu-img check " + image + " (status " + check.status() + "):\n" + check.output();
        assertThat(check.status()).as(why).isIn(0, 3);
        assertThat(check.output()).as(why).doesNotContain("ERROR").doesNotContain("corrupt");
        if (check.status() == 0) {
            assertThat(check.output()).as(why).contains("No errors were found on the image.");
        } else {
            assertThat(check.output()).as(why).contains("leaked clusters were found on the image.");
        }
    }

    private static int blockOf(int write) {
        return (write * STRIDE) % SPREAD;
    }

    /** What {@code yes block-I | head -c 4096} makes. */
    private static byte[] writtenBlock(int write) {
        return repeat("block-" + write + "\n");
    }

    /** The base's content of block b: a line naming the block, repeated. */
    private static byte[] baseBlock(int block) {
        return repeat(String.format("base-%04d\n", block));
    }

    private static byte[] repeat(String line) {
        byte[] one = line.getBytes(StandardCharsets.US_ASCII);
        byte[] block = new byte[BLOCK];
        for (int at = 0; at < BLOCK; at++) {
            block[at] = one[at % one.length];
        }
        return block;
    }

    private static String preview(byte[] block) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            int c = block[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : c == '\n' ? "\\n" : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private static String md5(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    private record QemuImg(int status, String output) {
    }

    private static QemuImg qemuImg(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-img"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("qemu-img finished").isTrue();
        return new QemuImg(p.exitValue(), out);
    }
}
