package dev.jvmm.image;

/**
 * The program that finishes a Debian root filesystem inside the guest: the disk's init
 * ({@code init=}{@link #PATH}) on its first boot under jvmm's initramfs. It runs debootstrap's
 * second stage (the packages' maintainer scripts, on the guest's own dpkg), then makes the
 * system bootable on jvmm: root without a password, a getty on the serial console (systemd
 * starts one on the {@code console=} device by itself), hostname, fstab, DHCP on every
 * Ethernet card with systemd-networkd, and jvmm's user-networking DNS server in
 * {@code resolv.conf}. It prints {@link #SUCCESS} when all went well, removes itself, and
 * powers the machine off (it is PID 1, so through the kernel's sysrq trigger).
 */
public final class SecondStageScript {

    /** Where the script lives in the root filesystem, and the {@code init=} that runs it. */
    public static final String PATH = "/jvmm-second-stage";

    /** The line printed on the console once the system is complete. */
    public static final String SUCCESS = "jvmm-second-stage: complete";

    /** The line printed on the console when a step failed. */
    public static final String FAILURE = "jvmm-second-stage: FAILED";

    /** The DNS server of jvmm's user-mode network (and QEMU's). */
    static final String USER_NET_DNS = "10.0.2.3";

    private SecondStageScript() {
    }

    /** The script for a machine called {@code hostname}. */
    public static String text(String hostname) {
        if (!hostname.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("bad host name: " + hostname);
        }
        return """
                #!/bin/sh
                # jvmm image build: the second stage, run as PID 1 on the new disk's first boot.
                export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive
                # Never returns: PID 1 must not exit (the kernel would panic).
                finish() {
                    [ -w /proc/sysrq-trigger ] || mount -t proc proc /proc
                    sync
                    mount -o remount,ro / 2>/dev/null
                    echo o > /proc/sysrq-trigger
                    while :; do sleep 3600; done
                }
                fail() {
                    echo "%2$s: $1"
                    finish
                }
                [ -r /proc/self/stat ] || mount -t proc proc /proc
                echo "jvmm-second-stage: configuring the packages (this takes a while)"
                start=$(cut -d ' ' -f 1 /proc/uptime)
                /debootstrap/debootstrap --second-stage || fail "debootstrap --second-stage"
                # debootstrap unmounts /proc when it is done.
                [ -r /proc/uptime ] || mount -t proc proc /proc
                echo "jvmm-second-stage: packages configured after $(cut -d ' ' -f 1 /proc/uptime) s (started at $start s)"
                passwd -d root || fail "passwd -d root"
                echo %3$s > /etc/hostname
                printf '127.0.0.1\\tlocalhost\\n127.0.1.1\\t%3$s\\n::1\\tlocalhost ip6-localhost ip6-loopback\\n' > /etc/hosts
                printf '# <file system> <mount point> <type> <options> <dump> <pass>\\n/dev/vda / ext4 rw,errors=remount-ro 0 1\\n' > /etc/fstab
                mkdir -p /etc/systemd/network
                printf '[Match]\\nName=e*\\n\\n[Network]\\nDHCP=ipv4\\n' > /etc/systemd/network/50-jvmm-dhcp.network
                systemctl enable systemd-networkd.service || fail "systemctl enable systemd-networkd"
                rm -f /etc/resolv.conf
                echo "nameserver %4$s" > /etc/resolv.conf
                rm -f %1$s
                echo "made by jvmm image build: jvmm's default initramfs boots this disk when no root= is given" > %6$s
                echo "%5$s"
                finish
                """.formatted(PATH, FAILURE, hostname, USER_NET_DNS, SUCCESS, InitScript.BOOTABLE_MARKER);
    }
}
