package io.gatehouse.federation;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the federation client needs to know, read from the gateway's settings ({@code config.service.*},
 * {@code config.backup.*}; see {@code docs/settings.md}).
 *
 * @param endpoint                     the management plane's base URL
 * @param token                        the gateway token
 * @param disableCertificateValidation whether to skip TLS validation (testing only)
 * @param watch                        whether to hold each check open for a change
 * @param pollInterval                 the time between checks when not watching
 * @param watchTimeout                 how long the management plane may hold one watch request
 * @param heartbeatInterval            the time between heartbeats
 * @param callTimeout                  the timeout of one call, beyond the watch hold time
 * @param backupDirectory              where the encrypted backup is kept
 * @param backupKey                    the backup key; derived from the token when empty
 * @param version                      the Gatehouse version, for heartbeats
 */
public record FederationSettings(URI endpoint,
                                 GatewayToken token,
                                 boolean disableCertificateValidation,
                                 boolean watch,
                                 Duration pollInterval,
                                 Duration watchTimeout,
                                 Duration heartbeatInterval,
                                 Duration callTimeout,
                                 Path backupDirectory,
                                 Optional<BackupKey> backupKey,
                                 String version) {

    /**
     * Creates settings.
     *
     * @param endpoint                     endpoint
     * @param token                        token
     * @param disableCertificateValidation skip TLS validation
     * @param watch                        watch
     * @param pollInterval                 poll interval
     * @param watchTimeout                 watch timeout
     * @param heartbeatInterval            heartbeat interval
     * @param callTimeout                  call timeout
     * @param backupDirectory              backup directory
     * @param backupKey                    backup key
     * @param version                      version
     */
    public FederationSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(backupDirectory, "backupDirectory");
        Objects.requireNonNull(backupKey, "backupKey");
        if (watchTimeout.toSeconds() < 1 || watchTimeout.toSeconds() > 60) {
            throw new IllegalArgumentException("the watch timeout must be 1 to 60 seconds, not " + watchTimeout);
        }
    }

    /** @return the gateway id, from the token */
    public String gatewayId() {
        return token.gatewayId();
    }

    /** @return the backup key: the configured one, else derived from the token and gateway id */
    public BackupKey effectiveBackupKey() {
        return backupKey.orElseGet(() -> BackupKey.derive(token.signature(), token.gatewayId()));
    }
}
