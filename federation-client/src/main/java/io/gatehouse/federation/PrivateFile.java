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

    /** The most written in one call. */
    private static final int SLICE = 64 * 1024;

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
                    // In slices: the JDK copies a heap buffer into a native one of the same size for each write and
                    // keeps that per thread, so one write of a 24 MB backup held 24 MB outside the heap for good.
                    for (int off = 0; off < part.length; off += SLICE) {
                        ByteBuffer buffer = ByteBuffer.wrap(part, off, Math.min(SLICE, part.length - off));
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
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
