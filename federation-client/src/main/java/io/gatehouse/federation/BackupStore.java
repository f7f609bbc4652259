package io.gatehouse.federation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;

/**
 * The encrypted backup of the last applied snapshot, from which a gateway starts while its management plane is
 * unreachable. Layout: {@code "GHBK"}, format byte 1, a two-byte header length, a clear JSON header (revision,
 * time written, API count, key source), a fresh 12-byte nonce, then the AES-256-GCM ciphertext of the snapshot's
 * canonical JSON with everything before the nonce as associated data, so the header cannot be altered either.
 * Written atomically (temporary file, fsync, rename); read whole or refused whole, never half-loaded.
 */
public final class BackupStore {

    /** The backup's file name in its directory. */
    public static final String FILE_NAME = "gatehouse-snapshot.bak";

    private static final byte[] MAGIC = {'G', 'H', 'B', 'K'};
    private static final int FORMAT = 1;
    private static final int PREFIX = MAGIC.length + 1 + 2;
    private static final int MAX_HEADER = 0xffff;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final BackupKey key;

    /**
     * A backup read back.
     *
     * @param snapshot  the snapshot
     * @param writtenAt when it was written
     */
    public record Backup(Snapshot snapshot, Instant writtenAt) {
    }

    /**
     * Creates a store.
     *
     * @param directory the backup directory ({@code config.backup.path})
     * @param key       the key
     */
    public BackupStore(Path directory, BackupKey key) {
        this.directory = directory;
        this.key = key;
    }

    /**
     * The backup file: {@value #FILE_NAME} in the backup directory.
     *
     * @return the backup file
     */
    public Path file() {
        return directory.resolve(FILE_NAME);
    }

    /**
     * Writes a snapshot, replacing the previous backup atomically.
     *
     * @param snapshot the snapshot
     * @throws IOException if it cannot be written; the previous backup is then left as it was
     */
    public void write(Snapshot snapshot) throws IOException {
        write(snapshot, SnapshotJson.write(snapshot));
    }

    /**
     * Writes a snapshot whose JSON form is at hand (as the management plane sent it), so it is not serialized again:
     * with 100,000 subscriptions that is 24 MB less to allocate while two snapshots are live.
     *
     * @param snapshot the snapshot
     * @param json     its JSON document, as {@link SnapshotJson#read} accepts it for this snapshot
     * @throws IOException if it cannot be written; the previous backup is then left as it was
     */
    public void write(Snapshot snapshot, byte[] json) throws IOException {
        ObjectNode header = MAPPER.createObjectNode()
                .put("revision", snapshot.revision())
                .put("writtenAt", Instant.now().toString())
                .put("apis", snapshot.apis().size())
                .put("key", key.source());
        byte[] headerBytes = MAPPER.writeValueAsBytes(header);
        if (headerBytes.length > MAX_HEADER) {
            // Only a very long key source could do this; a silently cut length would make an unreadable backup.
            throw new IOException("cannot write " + file() + ": its header would be " + headerBytes.length
                                          + " bytes, the format allows " + MAX_HEADER);
        }
        ByteBuffer aad = ByteBuffer.allocate(PREFIX + headerBytes.length)
                .put(MAGIC).put((byte) FORMAT).putShort((short) headerBytes.length).put(headerBytes);
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] ciphertext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad.array());
            ciphertext = cipher.doFinal(json);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the backup: " + e.getMessage(), e);
        }
        PrivateFile.write(file(), aad.array(), nonce, ciphertext);
    }

    /**
     * Reads and verifies the backup.
     *
     * @return the backup, or empty if there is none
     * @throws BackupException naming the file and why it cannot be used
     */
    public Optional<Backup> read() throws BackupException {
        Path file = file();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BackupException(file + " cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length < PREFIX || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new BackupException(file + " is not a Gatehouse backup (" + (bytes.length < PREFIX
                    ? "only " + bytes.length + " bytes" : "it does not start with GHBK") + ")");
        }
        int format = bytes[MAGIC.length] & 0xff;
        if (format != FORMAT) {
            throw new BackupException(file + " was written by a newer Gatehouse (backup format " + format
                                              + ", this one reads " + FORMAT + ")");
        }
        int headerLength = ((bytes[MAGIC.length + 1] & 0xff) << 8) | (bytes[MAGIC.length + 2] & 0xff);
        int nonceAt = PREFIX + headerLength;
        if (nonceAt + NONCE_BYTES + TAG_BITS / 8 > bytes.length) {
            throw new BackupException(file + " is truncated or damaged (" + bytes.length + " bytes, the header alone"
                                              + " claims " + nonceAt + ")");
        }
        JsonNode header;
        try {
            header = MAPPER.readTree(Arrays.copyOfRange(bytes, PREFIX, nonceAt));
        } catch (IOException e) {
            throw new BackupException(file + " is truncated or damaged (its header is not JSON)", e);
        }
        byte[] plaintext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.key(),
                        new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(bytes, nonceAt, nonceAt + NONCE_BYTES)));
            cipher.updateAAD(bytes, 0, nonceAt);
            plaintext = cipher.doFinal(bytes, nonceAt + NONCE_BYTES, bytes.length - nonceAt - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new BackupException(file + " failed authentication: it was modified or truncated, or was written"
                                              + " with another key (this gateway's key is " + key.source() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new BackupException(file + " cannot be decrypted: " + e.getMessage(), e);
        }
        Snapshot snapshot;
        try {
            snapshot = SnapshotJson.read(plaintext, file.toString());
        } catch (ConfigException e) {
            throw new BackupException(file + " holds an invalid snapshot: " + e.getMessage(), e);
        }
        String revision = header.path("revision").asText("");
        if (!revision.equals(snapshot.revision())) {
            throw new BackupException(file + " is inconsistent: its header names revision '" + revision
                                              + "' but it holds " + snapshot.revision() + "; refusing it");
        }
        Instant writtenAt;
        try {
            writtenAt = Instant.parse(header.path("writtenAt").asText(""));
        } catch (RuntimeException e) {
            throw new BackupException(file + " is damaged: its header has no valid 'writtenAt'", e);
        }
        return Optional.of(new Backup(snapshot, writtenAt));
    }
}
