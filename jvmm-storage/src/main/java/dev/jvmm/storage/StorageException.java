package dev.jvmm.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A request or an image that a block backend refuses. The message is one line naming the file
 * (when there is one) and the problem; {@link #reason()} lets callers map it to a device status.
 */
public final class StorageException extends IOException {

    /** Why the backend refused. */
    public enum Reason {
        /** Offset or length outside the virtual disk. */
        OUT_OF_RANGE,
        /** A write, discard or flush on a read-only backend. */
        READ_ONLY,
        /** The backend was closed. */
        CLOSED,
        /** Image metadata is inconsistent, truncated or hostile. */
        CORRUPT,
        /** A valid image that uses a feature this implementation does not support. */
        UNSUPPORTED,
        /** A bad argument from the caller (creation parameters, formats). */
        INVALID_ARGUMENT
    }

    private final Reason reason;

    public StorageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StorageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static StorageException corrupt(Path file, String problem) {
        return new StorageException(Reason.CORRUPT, file + ": corrupt image: " + problem);
    }

    static StorageException unsupported(Path file, String problem) {
        return new StorageException(Reason.UNSUPPORTED, file + ": unsupported: " + problem);
    }

    static StorageException readOnly(Object file) {
        return new StorageException(Reason.READ_ONLY, file + ": backend is read-only");
    }

    static StorageException closed(Object file) {
        return new StorageException(Reason.CLOSED, file + ": backend is closed");
    }

    /** Throws unless {@code [offset, offset+length)} lies inside {@code [0, size)}. */
    static void checkRange(Object file, long size, long offset, long length) throws StorageException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new StorageException(Reason.OUT_OF_RANGE,
                    file + ": request offset " + offset + " length " + length + " outside disk of " + size + " bytes");
        }
    }
}
