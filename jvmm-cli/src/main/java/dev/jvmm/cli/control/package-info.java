/**
 * jvmm's control socket: a protocol shaped like QEMU's QMP (one JSON object a message) on a
 * Unix-domain socket that only the owner can connect to.
 *
 * <h3>Server</h3>
 * {@link dev.jvmm.cli.control.QmpServer} listens on the socket that
 * {@link dev.jvmm.cli.control.UnixSocketFiles} creates, greets each client, insists on
 * {@code qmp_capabilities} first as QMP does, and runs the commands against a
 * {@link dev.jvmm.cli.control.ControlledMachine}: the few things a running guest can be asked to
 * do. It knows nothing of how the machine is built, run or rebooted.
 *
 * <h3>Client</h3>
 * {@link dev.jvmm.cli.control.QmpClient} is the other end, used by {@code jvmm snapshot} and
 * {@code jvmm migrate}.
 *
 * <h3>Framing</h3>
 * A message is one JSON object: it ends where its outermost brace closes or at the end of the
 * line, whichever comes first. So clients may send objects back to back without newlines, and a
 * broken line is answered with an error and forgotten; pretty-printed objects spread over several
 * lines are not accepted.
 */
package dev.jvmm.cli.control;
