package dev.jvmm.net.user;

/**
 * A snapshot of a {@link UserNetwork}'s counters.
 *
 * @param framesFromGuest frames the guest sent
 * @param framesToGuest   frames delivered to the guest
 * @param malformedFrames guest frames dropped because a length, offset, option or checksum was wrong
 * @param droppedFrames   well-formed frames not handled (unsupported protocol, fragment, unknown
 *                        address, or a full queue toward the guest)
 * @param tcpConnections  live TCP connections
 * @param udpFlows        live UDP flows
 * @param internalErrors  frames lost to a bug in the backend (an exception it caught); should stay 0
 */
public record UserNetworkStats(long framesFromGuest, long framesToGuest, long malformedFrames,
                               long droppedFrames, int tcpConnections, int udpFlows,
                               long internalErrors) {
}
