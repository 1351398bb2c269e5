package dev.jvmm.image;

import java.util.List;

/**
 * The text of the initramfs's {@code /init}, {@code /etc/inittab} and {@code /etc/profile}.
 *
 * <p>{@code /init} runs as PID 1 under busybox sh: it installs the applet links, mounts proc,
 * sysfs and devtmpfs, loads the modules (dependencies first, failures ignored: a module that is
 * built in or finds no device is not an error), prints a banner, then becomes busybox
 * {@code init}. That init starts an interactive shell on the console's real tty
 * ({@code cttyhack}, in its own session, so it has job control and Ctrl-C), starts a new one
 * whenever it exits, and acts on the signals that busybox {@code poweroff}, {@code reboot} and
 * {@code halt} send to PID 1. (A shell as PID 1 would ignore those signals, and Debian's busybox
 * shell runs its applets in preference to any {@code /sbin} script.)
 */
public final class InitScript {

    private InitScript() {
    }

    /** {@code /init} for a kernel version and the modules (paths relative to its module directory) in load order. */
    public static String init(String kernelVersion, List<String> modulePaths) {
        StringBuilder s = new StringBuilder();
        s.append("""
                #!/bin/busybox sh
                # /init of jvmm's initramfs (generated): set up, load modules, then a shell on the console.
                /bin/busybox --install -s
                export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root TERM=${TERM:-vt100}
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev 2>/dev/null
                mkdir -p /dev/pts /dev/shm
                mount -t devpts devpts /dev/pts 2>/dev/null
                [ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
                """);
        s.append("modules=/lib/modules/").append(kernelVersion).append('\n');
        for (String path : modulePaths) {
            s.append("insmod $modules/").append(path).append(" 2>/dev/null\n");
        }
        s.append("""
                hostname jvmm
                echo
                echo "jvmm: Linux $(uname -r) on $(uname -m), busybox $(busybox | head -n 1 | cut -d ' ' -f 2)"
                echo "jvmm: type 'poweroff' to stop the machine"
                exec /bin/busybox init
                """);
        return s.toString();
    }

    /**
     * {@code /etc/inittab} for busybox init: a login shell on the console's real tty, started
     * again when it exits; a sync before power-off or reboot.
     */
    public static String inittab() {
        return """
                ::respawn:/bin/cttyhack /bin/sh -l
                ::ctrlaltdel:/bin/busybox reboot
                ::shutdown:/bin/busybox sync
                """;
    }

    /** {@code /etc/profile}: a prompt that shows where the shell is. */
    public static String profile() {
        return """
                export PS1='\\u@\\h:\\w\\$ '
                alias ll='ls -l'
                """;
    }
}
