package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.gatehouse.config.Backend;
import io.gatehouse.config.NamedValue;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;

/** The encrypted backup: round trip, fresh nonces, atomic private writes, and every kind of damage refused whole. */
class BackupStoreTest {

    private static final BackupKey KEY = BackupKey.derive(new byte[64], "gw1");
    private static final int PREFIX = 7;

    @TempDir
    Path dir;

    private static Snapshot snapshot() {
        return Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(),
                               List.of(new NamedValue("secret", "secret", "s3cr3t-value", true)),
                               List.of(new Backend("b", URI.create("http://127.0.0.1:9"), "http", "")),
                               List.of(), List.of());
    }

    private static Snapshot emptySnapshot() {
        return Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                               List.of());
    }

    /** What is written reads back as the same snapshot and revision; the secret is not in the file in clear. */
    @Test
    void roundTripKeepsTheSnapshotAndEncryptsIt() throws Exception {
        BackupStore store = new BackupStore(dir.resolve("nested"), KEY);
        Instant before = Instant.now();
        store.write(snapshot());
        BackupStore.Backup backup = store.read().orElseThrow();
        assertEquals(snapshot(), backup.snapshot());
        assertEquals(snapshot().revision(), backup.snapshot().revision());
        assertFalse(backup.writtenAt().isBefore(before.minusSeconds(1)), backup.writtenAt().toString());
        assertFalse(backup.writtenAt().isAfter(Instant.now()), backup.writtenAt().toString());
        String raw = new String(Files.readAllBytes(store.file()), StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains("s3cr3t-value"), "encrypted");
        assertTrue(raw.startsWith("GHBK\u0001"), "magic and format");
    }

    /** An empty snapshot round-trips too. */
    @Test
    void emptySnapshotRoundTrips() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(emptySnapshot());
        assertEquals(emptySnapshot(), store.read().orElseThrow().snapshot());
    }

    /** The header is clear JSON an operator can read without the key: revision, time, API count, key source. */
    @Test
    void headerIsReadableInClear() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        String header = new String(bytes, PREFIX, headerLength(bytes), StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"revision\":\"" + snapshot().revision() + "\",\"writtenAt\":\""), header);
        assertTrue(header.endsWith("\"apis\":0,\"key\":\"derived from the gateway token\"}"), header);
    }

    /** Each write uses a fresh nonce, so the same snapshot never gives the same file twice. */
    @Test
    void everyWriteUsesAFreshNonce() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] first = Files.readAllBytes(store.file());
        store.write(snapshot());
        byte[] second = Files.readAllBytes(store.file());
        int nonceAt = PREFIX + headerLength(second);
        assertFalse(Arrays.equals(first, nonceAt, nonceAt + 12, second, nonceAt, nonceAt + 12), "nonce reused");
        assertFalse(Arrays.equals(first, second));
        assertEquals(snapshot(), store.read().orElseThrow().snapshot());
    }

    /** The file is private to the gateway's user, and no temporary file is left behind. */
    @Test
    void writeIsPrivateAndLeavesNoTemporaryFile() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        store.write(emptySnapshot());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(BackupStore.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(dir.resolve(BackupStore.FILE_NAME), store.file());
    }

    /** No backup is not an error. */
    @Test
    void missingBackupIsEmpty() throws Exception {
        assertEquals(Optional.empty(), new BackupStore(dir, KEY).read());
        assertEquals(Optional.empty(), new BackupStore(dir.resolve("never-created"), KEY).read());
    }

    /** One flipped bit in the header, the nonce, the middle of the ciphertext or the tag is refused, naming the file. */
    @ParameterizedTest
    @CsvSource({"header, failed authentication", "nonce, failed authentication", "middle, failed authentication",
                "last, failed authentication", "magic, not a Gatehouse backup", "length, truncated or damaged"})
    void anyFlippedByteIsRefused(String where, String expected) throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        int nonceAt = PREFIX + headerLength(bytes);
        int at = switch (where) {
            case "magic" -> 1;
            case "length" -> 5;
            // Inside the revision's hex digits: the header stays JSON, so only the tag can catch it.
            case "header" -> PREFIX + "{\"revision\":\"".length() + 3;
            case "nonce" -> nonceAt + 3;
            case "middle" -> (nonceAt + 12 + bytes.length) / 2;
            default -> bytes.length - 1;
        };
        // The length's high byte gets its top bit, so the claimed header runs far past the end of the file.
        bytes[at] ^= where.equals("length") ? (byte) 0x80 : 0x01;
        Files.write(store.file(), bytes);
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().startsWith(store.file() + " "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** A header damaged so that it is no longer JSON is reported as damage: it is parsed before decryption. */
    @Test
    void headerThatIsNotJsonIsDamaged() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        bytes[PREFIX] = '!';
        Files.write(store.file(), bytes);
        BackupException e = assertThrows(BackupException.class, store::read);
        assertEquals(store.file() + " is truncated or damaged (its header is not JSON)", e.getMessage());
    }

    /** A truncated file is refused, however short, with the reason that fits. */
    @ParameterizedTest
    @CsvSource({"-1, failed authentication", "10, truncated or damaged", "3, not a Gatehouse backup",
                "0, not a Gatehouse backup"})
    void truncationIsRefused(int keep, String expected) throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        Files.write(store.file(), Arrays.copyOf(bytes, keep < 0 ? bytes.length + keep : keep));
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().startsWith(store.file() + " "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** A backup from a newer Gatehouse says so rather than claiming damage. */
    @Test
    void newerFormatIsRefused() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        bytes[4] = 2;
        Files.write(store.file(), bytes);
        BackupException e = assertThrows(BackupException.class, store::read);
        assertEquals(store.file() + " was written by a newer Gatehouse (backup format 2, this one reads 1)",
                     e.getMessage());
    }

    /** A backup written with another key (another token, another config.backup.key) is refused and says so. */
    @Test
    void anotherKeyIsRefused() throws Exception {
        new BackupStore(dir, KEY).write(snapshot());
        BackupStore other = new BackupStore(dir, BackupKey.derive(new byte[64], "gw2"));
        BackupException e = assertThrows(BackupException.class, other::read);
        assertEquals(other.file() + " failed authentication: it was modified or truncated, or was written with another"
                             + " key (this gateway's key is derived from the gateway token)", e.getMessage());
    }

    /** Authentic but not a snapshot (a bug, or a forged file with the key): refused with SnapshotJson's reason. */
    @Test
    void authenticButInvalidSnapshotIsRefused() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        Files.write(store.file(), seal(header(snapshot().revision()), "{\"format\":1}".getBytes(StandardCharsets.UTF_8)));
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().startsWith(store.file() + " holds an invalid snapshot: "), e.getMessage());
    }

    /** Authentic, but the clear header names another revision than the snapshot inside: refused. */
    @Test
    void headerRevisionMustMatchTheSnapshot() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        Files.write(store.file(), seal(header(emptySnapshot().revision()), SnapshotJson.write(snapshot())));
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().startsWith(store.file() + " is inconsistent"), e.getMessage());
        assertTrue(e.getMessage().contains(emptySnapshot().revision()), e.getMessage());
    }

    /** The helper below writes what BackupStore writes, so the refusals above are about content only. */
    @Test
    void sealHelperMatchesTheFormat() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        Files.write(store.file(), seal(header(snapshot().revision()), SnapshotJson.write(snapshot())));
        assertEquals(snapshot(), store.read().orElseThrow().snapshot());
    }

    private static int headerLength(byte[] bytes) {
        return ((bytes[5] & 0xff) << 8) | (bytes[6] & 0xff);
    }

    private static String header(String revision) {
        return "{\"revision\":\"" + revision + "\",\"writtenAt\":\"" + Instant.now() + "\",\"apis\":0,\"key\":\"test\"}";
    }

    /** An independent writer of the backup layout, to forge files that authenticate. */
    private static byte[] seal(String header, byte[] plaintext) throws Exception {
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        byte[] aad = ByteBuffer.allocate(PREFIX + headerBytes.length)
                .put("GHBK".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).putShort((short) headerBytes.length)
                .put(headerBytes).array();
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, KEY.key(), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(aad);
        out.write(nonce);
        out.write(cipher.doFinal(plaintext));
        return out.toByteArray();
    }
}
