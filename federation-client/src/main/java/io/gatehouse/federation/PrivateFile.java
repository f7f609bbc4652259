package io.gatehouse.federation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file that holds secrets (the backup, the gateway keys) so that it is never seen half-written and never
 * readable by others: a temporary file in the same directory with mode 600, fsync, atomic rename, fsync of the
 * directory.
 */
public final class PrivateFile {

    private PrivateFile() {
    }

    /**
     * Replaces a file atomically with the given content.
     *
     * @param file  the file
     * @param parts its content, in order
     * @throws IOException if it cannot be written; the previous file is then left as it was
     */
    public static void write(Path file, byte[]... parts) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // no POSIX permissions here: the directory's protection applies
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                for (byte[] part : parts) {
                    ByteBuffer buffer = ByteBuffer.wrap(part);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        // Makes the rename itself durable; not every platform can open a directory, and the data is already safe.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            // best effort
        }
    }
}
