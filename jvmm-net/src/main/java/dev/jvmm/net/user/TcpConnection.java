package dev.jvmm.net.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection between the guest and a host socket. Toward the guest this is a real
 * TCP endpoint (RFC 9293): it keeps sequence and acknowledgment numbers, honours the guest's
 * window, advertises its own, retransmits on timeout (RFC 6298 backoff, go-back-N) and after
 * three duplicate ACKs, probes a zero window, and closes each direction on its own FIN.
 * Toward the host it relays the byte stream through a blocking {@link SocketChannel} served by
 * two virtual threads.
 *
 * <h3>Buffers and backpressure</h3>
 * Guest data waits in {@code toHost} (64 KiB - 1, which is exactly the window we advertise, so
 * the guest can never overrun it); host data waits in {@code toGuest} (128 KiB) until the
 * guest acknowledges it. The host reader stops reading when {@code toGuest} is full, so a slow
 * guest slows the host peer through the host's own TCP flow control.
 *
 * <h3>Closing</h3>
 * The guest's FIN becomes {@code shutdownOutput} on the host socket once its data is written;
 * the host's EOF becomes our FIN after all its data. When both directions are closed and our
 * FIN is acknowledged the connection is forgotten at once (no TIME_WAIT: the guest keeps its
 * own). A RST from either side resets the other.
 */
final class TcpConnection {

    enum State { CONNECTING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSED }

    /** Our MSS: an Ethernet MTU minus IPv4 and TCP headers. */
    static final int MSS = 1460;
    /** The MSS assumed when the guest sends none (RFC 9293 §3.7.1). */
    static final int DEFAULT_MSS = 536;
    static final int RECEIVE_BUFFER = 65535;
    static final int SEND_BUFFER = 128 * 1024;
    static final long INITIAL_RTO = 400_000_000L;
    static final long MAX_RTO = 8_000_000_000L;
    static final int MAX_RETRIES = 10;
    static final int MAX_SYN_RETRIES = 5;
    private static final int CHUNK = 16384;

    private final TcpNat nat;
    final long key;
    final int guestPort;
    final int remoteIp;
    final int remotePort;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition sendSpace = lock.newCondition();
    private final Condition receiveData = lock.newCondition();
    private final List<byte[]> pending = new ArrayList<>();
    private final ByteRing toGuest = new ByteRing(SEND_BUFFER);
    private final ByteRing toHost = new ByteRing(RECEIVE_BUFFER);

    private SocketChannel channel;
    private State state;
    private final int iss = ThreadLocalRandom.current().nextInt();
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int peerMss = DEFAULT_MSS;
    private int rcvNxt;
    private int lastAdvertised;
    private boolean hostEof;
    private boolean finSent;
    private boolean finAcked;
    private boolean guestFin;
    private boolean hostOutputShut;
    private long rto = INITIAL_RTO;
    private long deadline;
    private int retries;
    private int dupAcks;

    private TcpConnection(TcpNat nat, long key, int guestPort, int remoteIp, int remotePort, State state) {
        this.nat = nat;
        this.key = key;
        this.guestPort = guestPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.state = state;
    }

    /** A connection the guest opened with {@code syn}; connects to {@code target} in the background. */
    static TcpConnection fromGuest(TcpNat nat, long key, int remoteIp, TcpSegment syn) {
        TcpConnection c = new TcpConnection(nat, key, syn.srcPort(), remoteIp, syn.dstPort(), State.CONNECTING);
        c.rcvNxt = syn.seq() + 1;
        c.sndWnd = syn.window();
        c.peerMss = peerMss(syn.mss());
        c.sndUna = c.iss;
        c.sndNxt = c.iss;
        c.sndMax = c.iss;
        return c;
    }

    /** Starts connecting; called once the connection is in the table. */
    void startConnect(InetSocketAddress target, int connectTimeoutMillis) {
        Thread.ofVirtual().name("jvmm-net-tcp-connect-" + guestPort).start(() -> connect(target, connectTimeoutMillis));
    }

    /** A connection a host client opened through a port forward; the caller then calls {@link #sendSyn}. */
    static TcpConnection fromHost(TcpNat nat, long key, int guestPort, int remotePort, SocketChannel accepted) {
        TcpConnection c = new TcpConnection(nat, key, guestPort, VirtualLan.GATEWAY_IP, remotePort, State.SYN_SENT);
        c.channel = accepted;
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sndMax = c.iss + 1;
        return c;
    }

    private static int peerMss(int offered) {
        return offered == 0 ? DEFAULT_MSS : Math.max(64, Math.min(MSS, offered));
    }

    private static boolean lt(int a, int b) {
        return a - b < 0;
    }

    private static boolean le(int a, int b) {
        return a - b <= 0;
    }

    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    // ---- background work on the host side ------------------------------------------------

    private void connect(InetSocketAddress target, int timeoutMillis) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            refuse();
            return;
        }
        lock.lock();
        try {
            if (state != State.CONNECTING) {
                closeQuietly(ch);
                return;
            }
            channel = ch; // visible to abort(), which closes it and so ends the connect
        } finally {
            lock.unlock();
        }
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(target, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            refuse();
            return;
        }
        lock.lock();
        try {
            if (state != State.CONNECTING) {
                return;
            }
            state = State.SYN_RECEIVED;
            sndNxt = iss + 1;
            sndMax = sndNxt;
            control(iss, TcpSegment.SYN | TcpSegment.ACK, MSS);
            arm(System.nanoTime());
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    /** The host refused or could not be reached: RST to the guest's SYN. */
    private void refuse() {
        lock.lock();
        try {
            if (state != State.CONNECTING) {
                return;
            }
            pending.add(frame(0, rcvNxt, TcpSegment.RST | TcpSegment.ACK, 0, 0, null, 0, 0));
            close(false);
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    private void startRelays() {
        Thread.ofVirtual().name("jvmm-net-tcp-read-" + guestPort).start(this::readHost);
        Thread.ofVirtual().name("jvmm-net-tcp-write-" + guestPort).start(this::writeHost);
    }

    /** Host to guest: read while {@code toGuest} has room, then let {@link #pump} send. */
    private void readHost() {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try {
            while (true) {
                int room;
                lock.lock();
                try {
                    while (state == State.ESTABLISHED && toGuest.free() == 0) {
                        sendSpace.await();
                    }
                    if (state != State.ESTABLISHED) {
                        return;
                    }
                    room = Math.min(toGuest.free(), CHUNK);
                } finally {
                    lock.unlock();
                }
                buf.clear().limit(room);
                int n = channel.read(buf);
                lock.lock();
                try {
                    if (state != State.ESTABLISHED) {
                        return;
                    }
                    if (n < 0) {
                        hostEof = true;
                    } else {
                        toGuest.write(buf.array(), 0, n);
                    }
                    pump(System.nanoTime());
                } finally {
                    lock.unlock();
                }
                flush(true);
                if (n < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            hostFailed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Guest to host: drain {@code toHost}; after the guest's FIN, shut the host socket's output. */
    private void writeHost() {
        byte[] chunk = new byte[CHUNK];
        try {
            while (true) {
                int n;
                lock.lock();
                try {
                    while (state == State.ESTABLISHED && toHost.size() == 0 && !guestFin) {
                        receiveData.await();
                    }
                    if (state != State.ESTABLISHED) {
                        return;
                    }
                    n = toHost.read(chunk, 0, chunk.length);
                } finally {
                    lock.unlock();
                }
                if (n == 0) {
                    channel.shutdownOutput();
                    lock.lock();
                    try {
                        hostOutputShut = true;
                        closeIfDone();
                    } finally {
                        lock.unlock();
                    }
                    flush(true);
                    return;
                }
                ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n);
                while (bb.hasRemaining()) {
                    channel.write(bb);
                }
                lock.lock();
                try {
                    // tell the guest when the window opened by a segment's worth (SWS avoidance)
                    if (state == State.ESTABLISHED && window() - lastAdvertised >= MSS) {
                        control(sndNxt, TcpSegment.ACK, 0);
                    }
                } finally {
                    lock.unlock();
                }
                flush(true);
            }
        } catch (IOException e) {
            hostFailed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void hostFailed() {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            pending.add(frame(sndNxt, rcvNxt, TcpSegment.RST | TcpSegment.ACK, 0, 0, null, 0, 0));
            close(false);
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    // ---- guest segments ------------------------------------------------------------------

    /** Handles one segment from the guest (on the device's thread). */
    void onSegment(TcpSegment s) {
        lock.lock();
        try {
            handle(s, System.nanoTime());
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    private void handle(TcpSegment s, long now) {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case CONNECTING -> {
                if (s.has(TcpSegment.RST)) {
                    close(true);
                }
                return; // a retransmitted SYN waits for the host connect
            }
            case SYN_SENT -> {
                handleSynSent(s, now);
                return;
            }
            default -> {
            }
        }
        if (s.has(TcpSegment.RST)) {
            if (le(rcvNxt, s.seq()) && le(s.seq(), rcvNxt + Math.max(1, lastAdvertised))) {
                close(true);
            }
            return;
        }
        if (s.has(TcpSegment.SYN)) {
            if (state == State.SYN_RECEIVED && s.seq() + 1 == rcvNxt) {
                control(iss, TcpSegment.SYN | TcpSegment.ACK, MSS); // our SYN-ACK was lost
            } else {
                control(sndNxt, TcpSegment.ACK, 0); // challenge ACK (RFC 5961 §4)
            }
            return;
        }
        if (!s.has(TcpSegment.ACK)) {
            return;
        }
        if (state == State.SYN_RECEIVED) {
            if (s.ack() != iss + 1) {
                pending.add(frame(s.ack(), 0, TcpSegment.RST, 0, 0, null, 0, 0));
                return;
            }
            establish(s.window(), now);
        }
        if (!handleAck(s, now)) {
            return;
        }
        int before = pending.size();
        boolean ackNeeded = handleData(s);
        pump(now);
        if (ackNeeded && pending.size() == before) {
            control(sndNxt, TcpSegment.ACK, 0);
        }
        closeIfDone();
    }

    private void handleSynSent(TcpSegment s, long now) {
        boolean ackOk = s.has(TcpSegment.ACK) && s.ack() == iss + 1;
        if (s.has(TcpSegment.RST)) {
            if (ackOk) {
                close(true); // the guest port is closed: reset the host client
            }
            return;
        }
        if (s.has(TcpSegment.ACK) && !ackOk) {
            pending.add(frame(s.ack(), 0, TcpSegment.RST, 0, 0, null, 0, 0));
            return;
        }
        if (!s.has(TcpSegment.SYN) || !ackOk) {
            return;
        }
        rcvNxt = s.seq() + 1;
        peerMss = peerMss(s.mss());
        establish(s.window(), now);
        control(sndNxt, TcpSegment.ACK, 0);
    }

    private void establish(int window, long now) {
        state = State.ESTABLISHED;
        sndUna = iss + 1;
        sndNxt = sndUna;
        sndMax = sndUna;
        sndWnd = window;
        retries = 0;
        rto = INITIAL_RTO;
        deadline = 0;
        startRelays();
    }

    /** Processes the acknowledgment; returns false if the segment must be dropped. */
    private boolean handleAck(TcpSegment s, long now) {
        int ack = s.ack();
        if (lt(sndMax, ack)) {
            control(sndNxt, TcpSegment.ACK, 0); // acknowledges data never sent
            return false;
        }
        if (lt(sndUna, ack)) {
            int acked = ack - sndUna;
            int data = Math.min(acked, toGuest.size());
            toGuest.discard(data);
            if (acked > data && finSent) {
                finAcked = true;
            }
            sndUna = ack;
            if (lt(sndNxt, ack)) {
                sndNxt = ack;
            }
            retries = 0;
            dupAcks = 0;
            rto = INITIAL_RTO;
            deadline = sndNxt != sndUna ? now + rto : 0;
            if (data > 0) {
                sendSpace.signalAll();
            }
        } else if (ack == sndUna && s.dataLen() == 0 && sndNxt != sndUna && s.window() == sndWnd
                && ++dupAcks == 3) {
            retransmitFirst(); // fast retransmit (RFC 5681 §3.2), no congestion control
        }
        if (le(sndUna, ack)) {
            sndWnd = s.window();
            if (sndWnd == 0) {
                retries = 0; // a guest answering our probes is alive, however long its window stays shut
            }
        }
        return true;
    }

    /** Takes in-order payload and FIN; returns whether the segment needs an acknowledgment. */
    private boolean handleData(TcpSegment s) {
        boolean fin = s.has(TcpSegment.FIN);
        if (s.dataLen() == 0 && !fin) {
            return false;
        }
        if (guestFin) {
            return true;
        }
        int skip = rcvNxt - s.seq();
        if (skip < 0 || skip > s.dataLen()) {
            return true; // out of order (dropped; the guest retransmits) or old: duplicate ACK
        }
        int fresh = s.dataLen() - skip;
        int taken = toHost.write(s.data(), s.dataOff() + skip, fresh);
        rcvNxt += taken;
        if (taken > 0) {
            receiveData.signalAll();
        }
        if (fin && taken == fresh) {
            rcvNxt += 1;
            guestFin = true;
            receiveData.signalAll();
        }
        return true;
    }

    // ---- sending to the guest --------------------------------------------------------------

    /** Sends what the guest's window allows, then our FIN once the host is done. */
    private void pump(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        while (!finSent) {
            int inFlight = sndNxt - sndUna;
            int avail = toGuest.size() - inFlight;
            int usable = sndWnd - inFlight;
            if (avail > 0 && usable > 0) {
                int len = Math.min(Math.min(avail, usable), peerMss);
                sendData(inFlight, len);
                sndNxt += len;
            } else if (avail == 0 && hostEof) {
                control(sndNxt, TcpSegment.FIN | TcpSegment.ACK, 0);
                sndNxt += 1;
                finSent = true;
            } else {
                break;
            }
            if (lt(sndMax, sndNxt)) {
                sndMax = sndNxt;
            }
            if (deadline == 0) {
                arm(now);
            }
        }
        if (deadline == 0 && !finSent && toGuest.size() > sndNxt - sndUna) {
            arm(now); // zero window with data waiting: the timer sends probes
        }
    }

    private void sendData(int offset, int len) {
        byte[] data = new byte[len];
        toGuest.peek(offset, data, 0, len);
        segment(sndUna + offset, TcpSegment.ACK | TcpSegment.PSH, 0, data, len);
    }

    private void retransmitFirst() {
        int avail = toGuest.size();
        if (avail > 0) {
            sendData(0, Math.min(Math.min(avail, peerMss), Math.max(1, sndNxt - sndUna)));
        } else if (finSent) {
            control(sndUna, TcpSegment.FIN | TcpSegment.ACK, 0);
        }
    }

    /** Retransmission and zero-window probing, called by the timer thread. */
    void tick(long now) {
        lock.lock();
        try {
            if (deadline == 0 || now - deadline < 0) {
                return;
            }
            switch (state) {
                case SYN_SENT -> {
                    if (++retries > MAX_SYN_RETRIES) {
                        close(true);
                    } else {
                        control(iss, TcpSegment.SYN, MSS);
                        backOff(now);
                    }
                }
                case SYN_RECEIVED -> {
                    if (++retries > MAX_SYN_RETRIES) {
                        pending.add(frame(iss + 1, rcvNxt, TcpSegment.RST | TcpSegment.ACK, 0, 0, null, 0, 0));
                        close(true);
                    } else {
                        control(iss, TcpSegment.SYN | TcpSegment.ACK, MSS);
                        backOff(now);
                    }
                }
                case ESTABLISHED -> retransmit(now);
                default -> deadline = 0;
            }
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    private void retransmit(long now) {
        boolean waiting = toGuest.size() > 0 || (hostEof && !finAcked);
        if (sndNxt == sndUna && !waiting) {
            deadline = 0;
            return;
        }
        if (++retries > MAX_RETRIES) {
            pending.add(frame(sndNxt, rcvNxt, TcpSegment.RST | TcpSegment.ACK, 0, 0, null, 0, 0));
            close(true);
            return;
        }
        sndNxt = sndUna; // go back N
        finSent = false;
        if (sndWnd == 0) {
            if (toGuest.size() > 0) {
                sendData(0, 1); // zero-window probe (RFC 9293 §3.8.6.1)
                sndNxt = sndUna + 1;
            } else if (hostEof) {
                control(sndUna, TcpSegment.FIN | TcpSegment.ACK, 0);
                sndNxt = sndUna + 1;
                finSent = true;
            }
        } else {
            pump(now);
        }
        backOff(now);
    }

    private void arm(long now) {
        deadline = now + rto;
    }

    private void backOff(long now) {
        rto = Math.min(rto * 2, MAX_RTO);
        deadline = now + rto;
    }

    /** Sends our SYN to the guest (port forwards). */
    void sendSyn() {
        lock.lock();
        try {
            control(iss, TcpSegment.SYN, MSS);
            arm(System.nanoTime());
        } finally {
            lock.unlock();
        }
        flush(false);
    }

    // ---- closing ---------------------------------------------------------------------------

    private void closeIfDone() {
        if (state == State.ESTABLISHED && guestFin && hostOutputShut && hostEof && finAcked) {
            close(false);
        }
    }

    /** Forgets the connection and closes the host socket ({@code reset}: with a RST). */
    private void close(boolean reset) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        deadline = 0;
        sendSpace.signalAll();
        receiveData.signalAll();
        SocketChannel ch = channel;
        if (ch != null) {
            if (reset) {
                try {
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // an unconnected or closed socket closes plainly
                }
            }
            closeQuietly(ch);
        }
        nat.forget(this);
    }

    /** Closes the host side without telling the guest (the backend is shutting down). */
    void shutdown() {
        lock.lock();
        try {
            close(false);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    // ---- frames ----------------------------------------------------------------------------

    /** Our receive window: the free room in {@code toHost}. */
    private int window() {
        return Math.min(toHost.free(), 0xffff);
    }

    /** Queues a segment to the guest carrying our current window (and {@code rcvNxt} if ACK is set). */
    private void segment(int seq, int flags, int mss, byte[] data, int len) {
        int win = window();
        lastAdvertised = win;
        int ack = (flags & TcpSegment.ACK) != 0 ? rcvNxt : 0;
        pending.add(frame(seq, ack, flags, win, mss, data, 0, len));
    }

    /** Queues a segment without payload. */
    private void control(int seq, int flags, int mss) {
        segment(seq, flags, mss, null, 0);
    }

    private byte[] frame(int seq, int ack, int flags, int window, int mss, byte[] data, int off, int len) {
        return FrameBuilder.tcp(nat.output().guestMac(), remoteIp, remotePort, VirtualLan.GUEST_IP, guestPort,
                seq, ack, flags, window, mss, data, off, len);
    }

    /** Hands queued frames to the output, outside the lock. */
    private void flush(boolean wait) {
        List<byte[]> out;
        lock.lock();
        try {
            if (pending.isEmpty()) {
                return;
            }
            out = new ArrayList<>(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        for (byte[] f : out) {
            if (wait) {
                try {
                    nat.output().put(f);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else {
                nat.output().offer(f);
            }
        }
    }
}
