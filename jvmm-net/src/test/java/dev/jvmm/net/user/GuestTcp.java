package dev.jvmm.net.user;

import static dev.jvmm.net.user.TestFrames.*;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A minimal TCP endpoint playing the guest's side of one connection, single-threaded and
 * driven by the test. It checks that the backend never sends beyond the window this side
 * advertised.
 */
final class GuestTcp {

    static final int MSS = 1460;

    private final UserNetwork net;
    private final CollectingSink sink;
    final int guestPort;
    final int remoteIp;
    final int remotePort;
    private int sndUna;
    private int sndNxt;
    private int peerWnd;
    private int rcvNxt;
    private int window;
    /** The highest right window edge this side ever advertised (the window never shrinks below it). */
    private int rightEdge;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean finReceived;
    boolean rstReceived;
    int peerMss;
    /** Payload bytes seen beyond the advertised window (a probe may carry at most one). */
    int maxBeyondWindow;

    private GuestTcp(UserNetwork net, CollectingSink sink, int guestPort, int remoteIp, int remotePort, int window) {
        this.net = net;
        this.sink = sink;
        this.guestPort = guestPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.window = window;
    }

    /** Opens a connection from the guest; returns after SYN-ACK (or RST, see {@link #rstReceived}). */
    static GuestTcp connect(UserNetwork net, CollectingSink sink, int dst, int dstPort, int guestPort, int window)
            throws InterruptedException {
        GuestTcp g = new GuestTcp(net, sink, guestPort, dst, dstPort, window);
        int iss = 1_000_000 + guestPort;
        g.sndUna = iss;
        g.sndNxt = iss + 1;
        net.send(tcpFrame(dst, guestPort, dstPort, iss, 0, SYN, window, MSS, new byte[0]));
        Tcp synAck = sink.await(f -> g.mine(Tcp.parse(f)), 5000);
        if (synAck.has(RST)) {
            g.rstReceived = true;
            if (synAck.ack() != iss + 1) {
                throw new AssertionError("RST does not acknowledge our SYN");
            }
            return g;
        }
        if (!synAck.has(SYN) || !synAck.has(ACK) || synAck.ack() != iss + 1) {
            throw new AssertionError("expected SYN-ACK, got flags " + synAck.flags());
        }
        g.peerMss = synAck.mss();
        g.rcvNxt = synAck.seq() + 1;
        g.rightEdge = g.rcvNxt + window;
        g.sndUna = iss + 1;
        g.peerWnd = synAck.window();
        g.ack();
        return g;
    }

    /** Waits for the backend's SYN to {@code guestPort} (a port forward) and completes the handshake. */
    static GuestTcp accept(UserNetwork net, CollectingSink sink, int guestPort, int window) throws InterruptedException {
        Tcp syn = sink.await(f -> {
            Tcp t = Tcp.parse(f);
            return t != null && t.dstPort() == guestPort && t.has(SYN) ? t : null;
        }, 5000);
        if (syn.has(ACK) || syn.src() != GW) {
            throw new AssertionError("forwarded SYN must be a plain SYN from 10.0.2.2");
        }
        GuestTcp g = new GuestTcp(net, sink, guestPort, syn.src(), syn.srcPort(), window);
        g.peerMss = syn.mss();
        int iss = 5_000_000;
        g.rcvNxt = syn.seq() + 1;
        g.rightEdge = g.rcvNxt + window;
        g.sndUna = iss;
        g.sndNxt = iss + 1;
        net.send(tcpFrame(GW, guestPort, g.remotePort, iss, g.rcvNxt, SYN | ACK, window, MSS, new byte[0]));
        long end = System.nanoTime() + 5_000_000_000L;
        while (g.sndUna != g.sndNxt) {
            if (System.nanoTime() > end) {
                throw new AssertionError("backend did not acknowledge our SYN-ACK");
            }
            g.pollOnce(100);
        }
        return g;
    }

    /** Sends a RST for the forwarded SYN instead of accepting (a closed guest port). */
    static void refuse(UserNetwork net, CollectingSink sink, int guestPort) throws InterruptedException {
        Tcp syn = sink.await(f -> {
            Tcp t = Tcp.parse(f);
            return t != null && t.dstPort() == guestPort && t.has(SYN) ? t : null;
        }, 5000);
        net.send(tcpFrame(GW, guestPort, syn.srcPort(), 0, syn.seq() + 1, RST | ACK, 0, 0, new byte[0]));
    }

    private Tcp mine(Tcp t) {
        return t != null && t.dstPort() == guestPort && t.srcPort() == remotePort && t.src() == remoteIp ? t : null;
    }

    void setWindow(int w) {
        window = w;
    }

    /** Sends a pure ACK with the current window. */
    void ack() {
        if (rcvNxt + window - rightEdge > 0) {
            rightEdge = rcvNxt + window;
        }
        net.send(tcpFrame(remoteIp, guestPort, remotePort, sndNxt, rcvNxt, ACK, window, 0, new byte[0]));
    }

    /** Takes one frame for this connection (if any within {@code millis}) and reacts to it. */
    boolean pollOnce(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            byte[] f = sink.poll(left);
            if (f == null) {
                return false;
            }
            Tcp t = mine(Tcp.parse(f));
            if (t != null) {
                process(t);
                return true;
            }
        }
    }

    private void process(Tcp t) {
        if (t.has(RST)) {
            rstReceived = true;
            return;
        }
        if (t.has(ACK) && t.ack() - sndUna > 0 && t.ack() - sndNxt <= 0) {
            sndUna = t.ack();
        }
        peerWnd = t.window();
        int len = t.data().length;
        if (len > 0) {
            int beyond = t.seq() + len - rightEdge;
            maxBeyondWindow = Math.max(maxBeyondWindow, beyond);
        }
        boolean needAck = len > 0 || t.has(FIN);
        if (t.seq() == rcvNxt && !finReceived) {
            int take = Math.min(len, Math.max(0, window));
            received.write(t.data(), 0, take);
            rcvNxt += take;
            if (take == len && t.has(FIN)) {
                rcvNxt += 1;
                finReceived = true;
            }
        }
        if (needAck) {
            ack();
        }
    }

    /** Sends {@code data}, respecting the backend's window, retransmitting on silence. */
    void write(byte[] data) throws InterruptedException {
        int base = sndNxt;
        long end = System.nanoTime() + 20_000_000_000L;
        long lastProgress = System.nanoTime();
        int lastUna = sndUna;
        while (sndUna - base < data.length) {
            if (System.nanoTime() > end) {
                throw new AssertionError("write stalled at " + (sndUna - base) + " of " + data.length);
            }
            while (true) {
                int sent = sndNxt - base;
                int inFlight = sndNxt - sndUna;
                int len = Math.min(Math.min(MSS, data.length - sent), peerWnd - inFlight);
                if (len <= 0) {
                    break;
                }
                net.send(tcpFrame(remoteIp, guestPort, remotePort, sndNxt, rcvNxt, ACK | PSH, window, 0,
                        Arrays.copyOfRange(data, sent, sent + len)));
                sndNxt += len;
            }
            pollOnce(50);
            if (sndUna != lastUna) {
                lastUna = sndUna;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > 500_000_000L) {
                sndNxt = sndUna; // go back N (also probes a window that never reopened)
                if (peerWnd == 0 && sndUna - base < data.length) {
                    int off = sndUna - base;
                    net.send(tcpFrame(remoteIp, guestPort, remotePort, sndUna, rcvNxt, ACK, window, 0,
                            Arrays.copyOfRange(data, off, off + 1)));
                }
                lastProgress = System.nanoTime();
            }
        }
    }

    /** Reads until {@code n} bytes arrived or the backend sent FIN. */
    byte[] read(int n, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (received.size() < n && !finReceived && !rstReceived && System.nanoTime() < end) {
            pollOnce(100);
        }
        return received.toByteArray();
    }

    /** Waits for the backend's FIN. */
    void awaitFin(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!finReceived && !rstReceived && System.nanoTime() < end) {
            pollOnce(100);
        }
        if (!finReceived) {
            throw new AssertionError("no FIN from backend");
        }
    }

    /** Sends our FIN and waits for it to be acknowledged. */
    void fin() throws InterruptedException {
        net.send(tcpFrame(remoteIp, guestPort, remotePort, sndNxt, rcvNxt, FIN | ACK, window, 0, new byte[0]));
        sndNxt += 1;
        long end = System.nanoTime() + 5_000_000_000L;
        while (sndUna != sndNxt) {
            if (System.nanoTime() > end) {
                throw new AssertionError("FIN not acknowledged");
            }
            pollOnce(100);
        }
    }

    /** Sends a RST. */
    void reset() {
        net.send(tcpFrame(remoteIp, guestPort, remotePort, sndNxt, 0, RST, 0, 0, new byte[0]));
    }
}
