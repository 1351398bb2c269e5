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
 *
 * <p>Staying in the initramfs, {@code /init} also brings the network up: loopback, and
 * {@code eth0} by DHCP in the background (see {@link #udhcpcScript()}), so a slow or missing DHCP
 * server does not hold up the shell. With {@code jvmm.run=PROGRAM} on the command line it runs
 * PROGRAM once the DHCP attempt has ended, then powers the machine off: that is how benchmarks
 * and tests run a guest program unattended.
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
        s.append("hostname jvmm\n");
        s.append(NETWORK_UP);
        s.append(AUTORUN);
        s.append("""
                echo
                echo "jvmm: Linux $(uname -r) on $(uname -m), busybox $(busybox | head -n 1 | cut -d ' ' -f 2)"
                echo "jvmm: type 'poweroff' to stop the machine"
                exec /bin/busybox init
                """);
        return s.toString();
    }

    /**
     * The file by which a disk made by {@code jvmm image build} tells the default initramfs that
     * it is a root file system to boot when the command line names no {@code root=}.
     */
    public static final String BOOTABLE_MARKER = "/etc/jvmm-bootable";

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
            if [ -z "$root" ]; then
                # No root= given: a disk made by 'jvmm image build' says so with a marker file and boots by itself.
                for dev in /dev/vd[a-z]; do
                    [ -b "$dev" ] || continue
                    mkdir -p /newroot
                    if mount -t ext4 -o ro "$dev" /newroot 2>/dev/null; then
                        [ -f /newroot%s ] && root=$dev rootmode=rw
                        umount /newroot
                    fi
                    [ -n "$root" ] && break
                done
                [ -n "$root" ] && echo "jvmm: booting $root (made by jvmm image build)"
            fi
            """.formatted(BOOTABLE_MARKER);


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

    /** Where the initramfs keeps udhcpc's event script: busybox udhcpc's default path on Debian. */
    public static final String UDHCPC_SCRIPT = "/etc/udhcpc/default.script";

    /** Where {@link #udhcpcScript()} writes the name servers. */
    static final String RESOLV_CONF = "/etc/resolv.conf";

    /** Where the background udhcpc's messages go, so they do not land in the middle of the shell's prompt. */
    static final String UDHCPC_LOG = "/run/udhcpc.log";

    /**
     * Brings up loopback and, if there is an {@code eth0}, starts udhcpc on it in the background
     * ({@code $dhcp} is its PID): 5 discovers 3 s apart, then it gives up ({@code -n}); once it
     * has a lease it configures the interface through {@link #UDHCPC_SCRIPT} and exits
     * ({@code -q}), leaving the address in place.
     */
    static final String NETWORK_UP = """
            dhcp=
            ip link set lo up 2>/dev/null
            if [ -e /sys/class/net/eth0 ]; then
                ip link set eth0 up
                udhcpc -i eth0 -s %s -q -t 5 -n >%s 2>&1 &
                dhcp=$!
            fi
            """.formatted(UDHCPC_SCRIPT, UDHCPC_LOG);

    /**
     * With {@code jvmm.run=PROGRAM} in {@code $cmdline}: waits for the DHCP attempt started by
     * {@link #NETWORK_UP} to end, runs PROGRAM on the console, reports its exit status and powers
     * off (also when PROGRAM is missing, so an unattended run always ends).
     */
    static final String AUTORUN = """
            autorun=
            for arg in $cmdline; do
                case "$arg" in
                    jvmm.run=*) autorun=${arg#jvmm.run=} ;;
                esac
            done
            if [ -n "$autorun" ]; then
                [ -n "$dhcp" ] && wait "$dhcp"
                if [ -f "$autorun" ] && [ -x "$autorun" ]; then
                    "$autorun"
                    echo "jvmm: $autorun exited with status $?"
                else
                    echo "jvmm: jvmm.run=$autorun is not an executable file"
                fi
                sync
                poweroff -f
            fi
            """;

    /**
     * udhcpc's event script: on {@code deconfig} it clears the interface's IPv4 addresses; on
     * {@code bound} and {@code renew} it sets the leased address with its prefix (udhcpc's
     * {@code mask}, else the dotted {@code subnet}, else /32), the default route through the
     * first router, and {@code /etc/resolv.conf} from {@code domain} and {@code dns}.
     */
    public static String udhcpcScript() {
        return """
                #!/bin/sh
                # udhcpc event script of jvmm's initramfs (generated): applies a DHCP lease to $interface.
                resolv=%s
                prefix_of() {
                    bits=0
                    for octet in $(echo "$1" | tr . ' '); do
                        case "$octet" in
                            255) bits=$((bits + 8)) ;; 254) bits=$((bits + 7)) ;; 252) bits=$((bits + 6)) ;;
                            248) bits=$((bits + 5)) ;; 240) bits=$((bits + 4)) ;; 224) bits=$((bits + 3)) ;;
                            192) bits=$((bits + 2)) ;; 128) bits=$((bits + 1)) ;;
                        esac
                    done
                    echo "$bits"
                }
                case "$1" in
                    deconfig)
                        ip -4 addr flush dev "$interface"
                        ip link set "$interface" up
                        ;;
                    bound|renew)
                        prefix=$mask
                        [ -z "$prefix" ] && prefix=$(prefix_of "${subnet:-255.255.255.255}")
                        ip -4 addr flush dev "$interface"
                        ip addr add "$ip/$prefix" ${broadcast:+broadcast "$broadcast"} dev "$interface"
                        if [ -n "$router" ]; then
                            while ip route del default dev "$interface" 2>/dev/null; do :; done
                            set -- $router
                            ip route add default via "$1" dev "$interface"
                        fi
                        {
                            [ -n "$domain" ] && echo "search $domain"
                            for server in $dns; do echo "nameserver $server"; done
                        } > "$resolv"
                        ;;
                esac
                exit 0
                """.formatted(RESOLV_CONF);
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
