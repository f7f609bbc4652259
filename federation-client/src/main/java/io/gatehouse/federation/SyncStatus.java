package io.gatehouse.federation;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one place the federation client keeps its state: what it serves, where that came from, how the last
 * exchange with the management plane went. Readiness, heartbeats and the status endpoint all read it, so they
 * never disagree. Immutable; the client swaps in a new one at each change.
 *
 * @param state           how the last exchange with the management plane went
 * @param appliedRevision the revision being served, if any
 * @param source          where that revision came from
 * @param lastError       the last problem, if the state is not {@link State#SYNCED} (or the last refused snapshot)
 * @param lastSyncAt      when the management plane last answered, if ever
 * @param syncCount       how many snapshots have been applied from the management plane
 * @param backupLoaded    whether this node started from its backup
 * @param backupError     why the backup was not loaded at start, if it was refused
 */
public record SyncStatus(State state,
                         Optional<String> appliedRevision,
                         Source source,
                         Optional<String> lastError,
                         Optional<Instant> lastSyncAt,
                         long syncCount,
                         boolean backupLoaded,
                         Optional<String> backupError) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** How the last exchange with the management plane went. */
    public enum State {
        /** no answer yet */
        STARTING,
        /** the management plane answered and the newest snapshot is applied */
        SYNCED,
        /** the management plane cannot be reached; the node keeps serving what it has (fail static) */
        UNREACHABLE,
        /** the management plane refused the token (401/403) */
        UNAUTHORIZED,
        /** the newest snapshot did not compile here; the previous one keeps serving */
        REFUSED,
        /** the management plane answered with something unexpected */
        ERROR
    }

    /** Where the served snapshot came from. */
    public enum Source {
        /** nothing is served */
        NONE,
        /** the encrypted backup, at start */
        BACKUP,
        /** the local APIOps folder, at start, as a fallback */
        LOCAL_FOLDER,
        /** the management plane */
        MANAGEMENT_PLANE
    }

    /** @return the status of a node that has not started syncing */
    public static SyncStatus initial() {
        return new SyncStatus(State.STARTING, Optional.empty(), Source.NONE, Optional.empty(), Optional.empty(), 0, false,
                              Optional.empty());
    }

    /**
     * A copy with another state and error.
     *
     * @param newState the state
     * @param error    the problem, if any
     * @return the copy
     */
    public SyncStatus with(State newState, Optional<String> error) {
        return new SyncStatus(newState, appliedRevision, source, error, lastSyncAt, syncCount, backupLoaded, backupError);
    }

    /**
     * A copy for a newly applied snapshot.
     *
     * @param revision  its revision
     * @param from      where it came from
     * @param now       the current time
     * @return the copy
     */
    public SyncStatus applied(String revision, Source from, Instant now) {
        boolean synced = from == Source.MANAGEMENT_PLANE;
        return new SyncStatus(synced ? State.SYNCED : state, Optional.of(revision), from, Optional.empty(),
                              synced ? Optional.of(now) : lastSyncAt, synced ? syncCount + 1 : syncCount,
                              backupLoaded || from == Source.BACKUP, backupError);
    }

    /**
     * A copy noting that the management plane answered.
     *
     * @param now the current time
     * @return the copy
     */
    public SyncStatus contacted(Instant now) {
        return new SyncStatus(state, appliedRevision, source, lastError, Optional.of(now), syncCount, backupLoaded,
                              backupError);
    }

    /**
     * A copy noting why the backup was refused at start.
     *
     * @param reason why
     * @return the copy
     */
    public SyncStatus backupRefused(String reason) {
        return new SyncStatus(state, appliedRevision, source, Optional.of(reason), lastSyncAt, syncCount, backupLoaded,
                              Optional.of(reason));
    }

    /** @return whether a snapshot is being served */
    public boolean ready() {
        return appliedRevision.isPresent();
    }

    /**
     * The JSON form, for the gateway's internal status endpoint.
     *
     * @return UTF-8 JSON
     */
    public byte[] toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("ready", ready());
        node.put("state", state.name());
        node.put("appliedRevision", appliedRevision.orElse(null));
        node.put("source", source.name());
        node.put("lastError", lastError.orElse(null));
        node.put("lastSyncAt", lastSyncAt.map(Instant::toString).orElse(null));
        node.put("syncCount", syncCount);
        node.put("backupLoaded", backupLoaded);
        node.put("backupError", backupError.orElse(null));
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: serializing a tree", e);
        }
    }
}
