package dev.jvmm.image;

/** A guest image cannot be fetched, built or verified; the message is one line for the user. */
public final class ImageException extends Exception {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
