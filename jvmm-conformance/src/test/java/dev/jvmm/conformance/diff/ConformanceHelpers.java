package dev.jvmm.conformance.diff;

import dev.jvmm.machine.ExitReason;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * Reaches the conformance suite's package-private runners (CrossToolchain, QemuRun, JvmmRun) from
 * this package, so that the differential tests build and start programs exactly as the suite does.
 * (They are package-private in dev.jvmm.conformance; if they become public, call them directly.)
 */
final class ConformanceHelpers {

    private static final String PKG = "dev.jvmm.conformance.";

    /** QEMU's exit status, console and whether it was killed after the timeout. */
    record QemuOutcome(int exitStatus, String console, boolean timedOut) { }

    /** jvmm's exit reason and console. */
    record JvmmOutcome(ExitReason reason, String console) { }

    private ConformanceHelpers() {
    }

    static boolean gccAvailable() {
        return (Boolean) invokeStatic("CrossToolchain", "available", new Class<?>[0]);
    }

    static boolean qemuAvailable() {
        return (Boolean) invokeStatic("QemuRun", "available", new Class<?>[0]);
    }

    /** Builds {@code sources/<name>.S} with {@code sources/runtime.S} and {@code sources/link.ld} into {@code out/<name>.elf}. */
    static Path build(Path sources, String name, Path out) throws Exception {
        try {
            Class<?> c = Class.forName(PKG + "CrossToolchain");
            var ctor = c.getDeclaredConstructor(Path.class);
            ctor.setAccessible(true);
            Object gcc = ctor.newInstance(sources);
            Method m = c.getDeclaredMethod("build", String.class, Path.class);
            m.setAccessible(true);
            return (Path) m.invoke(gcc, name, out);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
    }

    static QemuOutcome runQemu(Path elf, long timeoutSeconds) throws Exception {
        Object o = invokeChecked("QemuRun", "run", new Class<?>[] {Path.class, long.class}, elf, timeoutSeconds);
        return new QemuOutcome((Integer) accessor(o, "exitStatus"), (String) accessor(o, "console"),
                (Boolean) accessor(o, "timedOut"));
    }

    static JvmmOutcome runJvmm(Path elf, Path placeholderKernel, long timeoutSeconds) throws Exception {
        Object o = invokeChecked("JvmmRun", "run", new Class<?>[] {Path.class, Path.class, long.class},
                elf, placeholderKernel, timeoutSeconds);
        return new JvmmOutcome((ExitReason) accessor(o, "reason"), (String) accessor(o, "console"));
    }

    static Path writePlaceholderKernel(Path dir) throws Exception {
        return (Path) invokeChecked("JvmmRun", "writePlaceholderKernel", new Class<?>[] {Path.class}, dir);
    }

    private static Object accessor(Object record, String name) throws Exception {
        Method m = record.getClass().getDeclaredMethod(name);
        m.setAccessible(true);
        return m.invoke(record);
    }

    private static Object invokeChecked(String cls, String method, Class<?>[] types, Object... args) throws Exception {
        try {
            Method m = Class.forName(PKG + cls).getDeclaredMethod(method, types);
            m.setAccessible(true);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
    }

    private static Object invokeStatic(String cls, String method, Class<?>[] types, Object... args) {
        try {
            return invokeChecked(cls, method, types, args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("calling " + cls + "." + method, e);
        }
    }

    private static Exception rethrow(InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
            return ex;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return e;
    }
}
