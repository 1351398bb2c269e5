package dev.jvmm.image;

import java.util.List;

/**
 * The text of the initramfs's {@code /init}, {@code /etc/inittab} and {@code /etc/profile}.
 *
 * <p>{@code /init} runs as PID 1 under busybox sh: it installs the applet links, mounts proc,
 * sysfs and devtmpfs, loads the modules (dependencies first, failures ignored: a module that is
 * built in or finds no device is not an error), prints a banner, then becomes busybox
 * {@code init}. With {@code root=DEVICE} on the kernel command line it instead mounts DEVICE
 * (read-only unless {@code rw} is given) and switches to it, running its {@code init=} program
 * or {@code /sbin/init}: that is how a Debian disk made by {@code jvmm image build} boots. Without
 * {@code root=}, busybox init starts an interactive shell on the console's real tty
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
        s.append(ROOT_SELECTION);
        s.append(SWITCH_ROOT);
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
     * Sets {@code root}, {@code rootmode} ({@code ro} unless {@code rw} is given),
     * {@code rootfstype} (default {@code ext4}) and {@code rootinit} (default {@code /sbin/init})
     * from the kernel command line in {@code $cmdline}, as the kernel's own {@code root=},
     * {@code rw}/{@code ro}, {@code rootfstype=} and {@code init=} mean them. The kernel
     * ignores those with an initramfs, but keeps them in {@code /proc/cmdline}.
     */
    static final String ROOT_SELECTION = """
            cmdline=$(cat /proc/cmdline 2>/dev/null)
            root= rootmode=ro rootfstype=ext4 rootinit=/sbin/init
            for arg in $cmdline; do
                case "$arg" in
                    root=*) root=${arg#root=} ;;
                    rootfstype=*) rootfstype=${arg#rootfstype=} ;;
                    init=*) rootinit=${arg#init=} ;;
                    rw) rootmode=rw ;;
                    ro) rootmode=ro ;;
                esac
            done
            """;

    /**
     * With {@code root=}: waits up to 10 s for the device, mounts it on {@code /newroot},
     * moves {@code /dev}, {@code /proc} and {@code /sys} there and becomes its init (still
     * PID 1). If the device or its init is missing, says why and goes on to the busybox shell.
     */
    static final String SWITCH_ROOT = """
            if [ -n "$root" ]; then
                tries=0
                while [ ! -b "$root" ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
                mkdir -p /newroot
                if ! mount -t "$rootfstype" -o "$rootmode" "$root" /newroot; then
                    echo "jvmm: cannot mount root=$root ($rootfstype, $rootmode); staying in the initramfs"
                elif [ ! -x "/newroot$rootinit" ] && [ ! -L "/newroot$rootinit" ]; then
                    echo "jvmm: $root has no $rootinit; staying in the initramfs"
                    umount /newroot
                else
                    umount /dev/pts 2>/dev/null
                    for fs in dev proc sys; do
                        if [ -d "/newroot/$fs" ]; then mount --move "/$fs" "/newroot/$fs"; else umount "/$fs"; fi
                    done
                    exec switch_root /newroot "$rootinit"
                fi
            fi
            """;

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
