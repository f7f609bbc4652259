package io.gatehouse.federation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotSink;

/**
 * Keeps a gateway in step with its management plane. At start it serves its encrypted backup, if it has a valid one;
 * then it watches (or polls) for new snapshots, hands each to the gateway, which compiles it before it replaces the
 * current one, writes every applied snapshot to the backup, and reports heartbeats. While the management plane is
 * away the gateway keeps serving what it has (fail static) and the client retries with exponential backoff and
 * jitter. Every failure is loud: logged with its reason, in the status, in the next heartbeat.
 */
public final class FederationClient implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(FederationClient.class.getName());
    private static final Duration EXPIRY_WARNING = Duration.ofDays(3);

    private final FederationSettings settings;
    private final SnapshotSink sink;
    private final ManagementPlaneClient client;
    private final BackupStore backup;
    private final Clock clock;
    private final String nodeId;
    private final String host;
    private final Instant started;
    private final AtomicReference<SyncStatus> status = new AtomicReference<>(SyncStatus.initial());
    private final AtomicLong failures = new AtomicLong();
    private final Object heartbeatSignal = new Object();
    private boolean heartbeatDue;
    private volatile Optional<String> lastSeenRevision = Optional.empty();
    private volatile boolean closed;
    private Thread syncThread;
    private Thread heartbeatThread;

    /**
     * Creates a client; {@link #start()} begins syncing.
     *
     * @param settings the settings
     * @param sink     the gateway, which compiles and activates snapshots
     * @param clock    the clock
     */
    public FederationClient(FederationSettings settings, SnapshotSink sink, Clock clock) {
        this.settings = settings;
        this.sink = sink;
        this.clock = clock;
        this.client = new ManagementPlaneClient(settings.endpoint(), settings.token(), settings.callTimeout(),
                                                settings.disableCertificateValidation());
        this.backup = new BackupStore(settings.backupDirectory(), settings.effectiveBackupKey());
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        this.nodeId = settings.gatewayId() + "-" + HexFormat.of().formatHex(random);
        this.host = hostName();
        this.started = clock.instant();
    }

    /**
     * Cold start: serves the backup if there is a valid one, so the gateway can answer before the management plane
     * does. A tampered, truncated or wrong-key backup is refused whole, with the reason logged and in the status.
     *
     * @return whether a backup is now served
     */
    public boolean loadBackup() {
        checkToken();
        Optional<BackupStore.Backup> found;
        try {
            found = backup.read();
        } catch (BackupException e) {
            String message = "backup refused, not loaded: " + e.getMessage();
            LOGGER.log(System.Logger.Level.ERROR, message);
            update(s -> s.backupRefused(message));
            return false;
        }
        if (found.isEmpty()) {
            LOGGER.log(System.Logger.Level.INFO, "no backup at " + backup.file() + " yet");
            return false;
        }
        Snapshot snapshot = found.get().snapshot();
        try {
            sink.activate(snapshot);
        } catch (ConfigException e) {
            String message = "backup " + backup.file() + " (revision " + snapshot.revision()
                    + ") does not compile here, not loaded:\n" + e.getMessage();
            LOGGER.log(System.Logger.Level.ERROR, message);
            update(s -> s.backupRefused(message));
            return false;
        }
        lastSeenRevision = Optional.of(snapshot.revision());
        update(s -> s.applied(snapshot.revision(), SyncStatus.Source.BACKUP, clock.instant()));
        LOGGER.log(System.Logger.Level.INFO, "serving the backup written at " + found.get().writtenAt() + " (revision "
                + snapshot.revision() + ", " + snapshot.apis().size() + " APIs) until the management plane answers");
        return true;
    }

    /** Starts syncing and heartbeats, each on its own virtual thread. */
    public void start() {
        if (settings.disableCertificateValidation()) {
            LOGGER.log(System.Logger.Level.WARNING, "config.service.endpoint.disableCertificateValidation is true: the"
                    + " management plane's TLS certificate is NOT verified; use this for testing only");
        }
        syncThread = Thread.ofVirtual().name("gatehouse-federation-sync").start(this::syncLoop);
        heartbeatThread = Thread.ofVirtual().name("gatehouse-federation-heartbeat").start(this::heartbeatLoop);
    }

    /**
     * Notes that the gateway serves a snapshot that did not come through this client (the local folder fallback),
     * so status and heartbeats report it.
     *
     * @param revision its revision
     */
    public void servingFallback(String revision) {
        update(s -> s.applied(revision, SyncStatus.Source.LOCAL_FOLDER, clock.instant()));
    }

    /** @return the current status */
    public SyncStatus status() {
        return status.get();
    }

    /** @return this node's id, as its heartbeats carry it */
    public String nodeId() {
        return nodeId;
    }

    /** @return the backup file */
    public Path backupFile() {
        return backup.file();
    }

    private void checkToken() {
        Instant now = clock.instant();
        GatewayToken token = settings.token();
        if (token.expiredAt(now)) {
            LOGGER.log(System.Logger.Level.ERROR, "config.service.auth: the gateway token for '" + token.gatewayId()
                    + "' expired at " + token.expiry() + "; the management plane will refuse it. Issue a new one"
                    + " (./gatehouse token --gateway " + token.gatewayId() + ")");
        } else if (token.remaining(now).orElseThrow().compareTo(EXPIRY_WARNING) < 0) {
            LOGGER.log(System.Logger.Level.WARNING, "config.service.auth: the gateway token for '" + token.gatewayId()
                    + "' expires at " + token.expiry() + "; issue a new one before then");
        }
    }

    private void syncLoop() {
        RetryDelay retry = RetryDelay.first();
        while (!closed) {
            boolean healthy;
            try {
                healthy = syncOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug must not stop syncing for good: report it like any other failure and retry.
                LOGGER.log(System.Logger.Level.ERROR, "federation sync failed unexpectedly", e);
                failed(SyncStatus.State.ERROR, "unexpected: " + e);
                healthy = false;
            }
            try {
                if (healthy) {
                    retry = retry.afterSuccess();
                    if (!settings.watch()) {
                        Thread.sleep(settings.pollInterval());
                    }
                } else {
                    Thread.sleep(retry.jittered(ThreadLocalRandom.current().nextDouble()));
                    retry = retry.afterFailure();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One check; returns whether the management plane answered as it should. */
    private boolean syncOnce() throws InterruptedException {
        Duration wait = settings.watch() && lastSeenRevision.isPresent() ? settings.watchTimeout() : Duration.ZERO;
        ManagementPlaneClient.Answer answer;
        try {
            answer = client.configuration(lastSeenRevision, wait);
        } catch (IOException e) {
            String reason = "management plane " + settings.endpoint() + " unreachable: " + describe(e);
            SyncStatus before = status.get();
            failed(SyncStatus.State.UNREACHABLE, reason);
            if (before.state() != SyncStatus.State.UNREACHABLE) {
                LOGGER.log(System.Logger.Level.WARNING, reason + "; "
                        + before.appliedRevision().map(r -> "still serving revision " + r)
                                .orElse("nothing to serve yet (no valid backup)") + "; retrying with backoff");
            }
            return false;
        }
        Instant now = clock.instant();
        switch (answer) {
            case ManagementPlaneClient.NotModified notModified -> {
                SyncStatus before = status.get();
                update(s -> s.state() == SyncStatus.State.REFUSED
                        ? s.contacted(now)
                        : s.contacted(now).with(SyncStatus.State.SYNCED, Optional.empty()));
                if (before.state() != SyncStatus.State.SYNCED && status.get().state() == SyncStatus.State.SYNCED) {
                    LOGGER.log(System.Logger.Level.INFO, "management plane reached; revision "
                            + lastSeenRevision.orElse("?") + " is current");
                    heartbeatNow();
                }
                return true;
            }
            case ManagementPlaneClient.Fetched fetched -> {
                apply(fetched, now);
                return true;
            }
            case ManagementPlaneClient.Refused refused -> {
                SyncStatus.State state = refused.unauthorized() ? SyncStatus.State.UNAUTHORIZED : SyncStatus.State.ERROR;
                String reason = "management plane refused configuration request (HTTP " + refused.status() + "): "
                        + refused.message();
                failed(state, reason);
                LOGGER.log(System.Logger.Level.ERROR, reason + (refused.unauthorized()
                        ? "; check config.service.auth (issue a token with ./gatehouse token --gateway "
                                + settings.gatewayId() + ")"
                        : ""));
                return false;
            }
        }
    }

    private void apply(ManagementPlaneClient.Fetched fetched, Instant now) {
        Snapshot snapshot = fetched.snapshot();
        lastSeenRevision = Optional.of(snapshot.revision());
        if (status.get().appliedRevision().filter(snapshot.revision()::equals).isPresent()) {
            update(s -> s.contacted(now).with(SyncStatus.State.SYNCED, Optional.empty()));
            return;
        }
        try {
            sink.activate(snapshot);
        } catch (ConfigException e) {
            String reason = "snapshot " + snapshot.revision() + " refused, still serving "
                    + status.get().appliedRevision().orElse("nothing") + ":\n" + e.getMessage();
            update(s -> s.contacted(now));
            failed(SyncStatus.State.REFUSED, reason);
            LOGGER.log(System.Logger.Level.ERROR, reason);
            heartbeatNow();
            return;
        }
        update(s -> s.contacted(now).applied(snapshot.revision(), SyncStatus.Source.MANAGEMENT_PLANE, now));
        LOGGER.log(System.Logger.Level.INFO, "applied revision " + snapshot.revision() + " from the management plane ("
                + snapshot.apis().size() + " APIs, " + fetched.bytes() + " bytes)");
        writeBackup(snapshot, fetched.json());
        heartbeatNow();
    }

    private void writeBackup(Snapshot snapshot, byte[] json) {
        try {
            backup.write(snapshot, json);
        } catch (IOException e) {
            // Serving goes on; only a cold start without the management plane is at stake, so say so.
            LOGGER.log(System.Logger.Level.ERROR, "cannot write the backup " + backup.file() + " (config.backup.path): "
                    + describe(e) + "; a restart while the management plane is away would have nothing to serve");
        }
    }

    private void heartbeatLoop() {
        while (!closed) {
            try {
                synchronized (heartbeatSignal) {
                    long deadline = System.nanoTime() + settings.heartbeatInterval().toNanos();
                    while (!heartbeatDue && !closed) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        heartbeatSignal.wait(Math.max(1, left / 1_000_000));
                    }
                    heartbeatDue = false;
                }
                if (!closed) {
                    sendHeartbeat();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sendHeartbeat() throws InterruptedException {
        SyncStatus now = status.get();
        Heartbeat heartbeat = new Heartbeat(nodeId, host, settings.version(), now.state().name(), now.appliedRevision(),
                                            now.lastError(), now.lastSyncAt(),
                                            Duration.between(started, clock.instant()).toSeconds(),
                                            settings.heartbeatInterval().toSeconds(), now.backupLoaded());
        try {
            client.heartbeat(heartbeat).ifPresent(refused -> LOGGER.log(System.Logger.Level.DEBUG,
                    "heartbeat refused (HTTP " + refused.status() + "): " + refused.message()));
        } catch (IOException e) {
            // The sync loop reports an unreachable management plane; a lost heartbeat adds nothing.
            LOGGER.log(System.Logger.Level.DEBUG, "heartbeat not sent: " + describe(e));
        }
    }

    /** Sends a heartbeat now rather than at the next interval. */
    void heartbeatNow() {
        synchronized (heartbeatSignal) {
            heartbeatDue = true;
            heartbeatSignal.notifyAll();
        }
    }

    private void update(UnaryOperator<SyncStatus> change) {
        status.updateAndGet(change);
    }

    private void failed(SyncStatus.State state, String reason) {
        failures.incrementAndGet();
        update(s -> s.with(state, Optional.of(reason)));
    }

    /** @return how many checks failed (unreachable, refused token or snapshot, unexpected answer) since start */
    public long syncFailures() {
        return failures.get();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (heartbeatSignal) {
            heartbeatSignal.notifyAll();
        }
        if (syncThread != null) {
            syncThread.interrupt();
        }
        if (heartbeatThread != null) {
            heartbeatThread.interrupt();
        }
    }
}
