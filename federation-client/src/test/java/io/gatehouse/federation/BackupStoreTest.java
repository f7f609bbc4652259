package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.gatehouse.config.Backend;
import io.gatehouse.config.NamedValue;
import io.gatehouse.config.Snapshot;

/** The encrypted backup: round trip, fresh nonces, atomic writes, and every kind of damage refused whole. */
class BackupStoreTest {

    private static final BackupKey KEY = BackupKey.derive(new byte[64], "gw1");

    @TempDir
    Path dir;

    private static Snapshot snapshot() {
        return Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(),
                               List.of(new NamedValue("secret", "secret", "s3cr3t-value", true)),
                               List.of(new Backend("b", URI.create("http://127.0.0.1:9"), "http", "")),
                               List.of(), List.of());
    }

    /** What is written reads back as the same snapshot, and the secret is not in the file in clear. */
    @Test
    void roundTripKeepsTheSnapshotAndEncryptsIt() throws Exception {
        BackupStore store = new BackupStore(dir.resolve("nested"), KEY);
        store.write(snapshot());
        BackupStore.Backup backup = store.read().orElseThrow();
        assertEquals(snapshot(), backup.snapshot());
        String raw = new String(Files.readAllBytes(store.file()), StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains("s3cr3t-value"), "encrypted");
        assertTrue(raw.contains(snapshot().revision()), "the revision is readable in the clear header");
    }

    /** Each write uses a fresh nonce, so the same snapshot never gives the same file twice. */
    @Test
    void everyWriteUsesAFreshNonce() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] first = Files.readAllBytes(store.file());
        store.write(snapshot());
        assertFalse(Arrays.equals(first, Files.readAllBytes(store.file())));
    }

    /** The file is private to the gateway's user, and no temporary file is left behind. */
    @Test
    void writeIsPrivateAndLeavesNoTemporaryFile() throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(BackupStore.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** No backup is not an error. */
    @Test
    void missingBackupIsEmpty() throws Exception {
        assertEquals(Optional.empty(), new BackupStore(dir, KEY).read());
    }

    /** One flipped bit anywhere (header, nonce, ciphertext, tag) is refused, naming the file. */
    @ParameterizedTest
    @ValueSource(strings = {"header", "nonce", "middle", "last"})
    void anyFlippedByteIsRefused(String where) throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        int headerLength = ((bytes[5] & 0xff) << 8) | (bytes[6] & 0xff);
        int at = switch (where) {
            case "header" -> 7 + headerLength / 2;
            case "nonce" -> 7 + headerLength + 3;
            case "middle" -> bytes.length / 2 + headerLength / 2;
            default -> bytes.length - 1;
        };
        bytes[at] ^= 0x01;
        Files.write(store.file(), bytes);
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().contains(store.file().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("failed authentication") || e.getMessage().contains("damaged"), e.getMessage());
    }

    /** A truncated file is refused, however short. */
    @ParameterizedTest
    @ValueSource(ints = {1, 40, 200})
    void truncationIsRefused(int cut) throws Exception {
        BackupStore store = new BackupStore(dir, KEY);
        store.write(snapshot());
        byte[] bytes = Files.readAllBytes(store.file());
        Files.write(store.file(), Arrays.copyOf(bytes, Math.max(3, bytes.length - cut)));
        BackupException e = assertThrows(BackupException.class, store::read);
        assertTrue(e.getMessage().matches("(?s).*(failed authentication|truncated or damaged|not a Gatehouse backup).*"),
                   e.getMessage());
        Files.write(store.file(), Arrays.copyOf(bytes, 3));
        assertTrue(assertThrows(BackupException.class, store::read).getMessage().contains("not a Gatehouse backup"));
    }

    /** A backup written with another key (another token, another config.backup.key) is refused and says so. */
    @Test
    void anotherKeyIsRefused() throws Exception {
        new BackupStore(dir, KEY).write(snapshot());
        BackupStore other = new BackupStore(dir, BackupKey.derive(new byte[64], "gw2"));
        BackupException e = assertThrows(BackupException.class, other::read);
        assertTrue(e.getMessage().contains("failed authentication") && e.getMessage().contains("another key"),
                   e.getMessage());
    }

    /** A configured key must be base64 of 32 bytes; the message names the setting, never the value. */
    @Test
    void configuredKeyIsChecked() {
        IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class,
                                                          () -> BackupKey.fromSetting("%%%", "config.backup.key"));
        assertTrue(notBase64.getMessage().startsWith("config.backup.key is not base64"), notBase64.getMessage());
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> BackupKey.fromSetting("AAAAAAAAAAAAAAAAAAAAAA==", "config.backup.key"));
        assertTrue(shortKey.getMessage().contains("16 bytes"), shortKey.getMessage());
        assertFalse(shortKey.getMessage().contains("AAAA"));
        assertEquals("config.backup.key",
                     BackupKey.fromSetting("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "config.backup.key").source());
    }

    /** HKDF matches RFC 5869's first test vector. */
    @Test
    void hkdfMatchesRfc5869() {
        HexFormat hex = HexFormat.of();
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] okm = BackupKey.hkdf(hex.parseHex("000102030405060708090a0b0c"), ikm, hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertArrayEquals(hex.parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                          okm);
    }
}
