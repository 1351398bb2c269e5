#!/bin/busybox sh
# /init of bench/cpu's initramfs: runs /bin/cpubench bench_runs times at scale bench_scale
# (name=value words of the kernel command line reach init as environment variables), each run
# framed by CPUBENCH-RUN lines, then powers off. BOOT-OK and CPUBENCH-DONE carry the guest's
# /proc/uptime.
bb=/bin/busybox
$bb mount -t devtmpfs dev /dev 2>/dev/null
$bb mount -t proc proc /proc
echo "BOOT-OK $($bb cat /proc/uptime)"
runs=${bench_runs:-1}
n=0
while [ "$n" -lt "$runs" ]; do
    n=$((n + 1))
    echo "CPUBENCH-RUN $n"
    /bin/cpubench "${bench_scale:-1}" || echo "CPUBENCH-FAILED run $n status $?"
done
echo "CPUBENCH-DONE $($bb cat /proc/uptime)"
$bb poweroff -f
