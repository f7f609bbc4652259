package io.gatehouse.config;

/**
 * Where a configuration source (a watched folder, the federation client) hands new snapshots: the gateway. It is
 * the only seam between a source and the server.
 */
public interface SnapshotSink {

    /**
     * Compiles a snapshot and, if it compiles, makes it the active one atomically. If it does not, nothing changes:
     * the previous snapshot keeps serving.
     *
     * @param snapshot the snapshot
     * @throws ConfigException listing every problem, if the snapshot is refused
     */
    void activate(Snapshot snapshot) throws ConfigException;
}
