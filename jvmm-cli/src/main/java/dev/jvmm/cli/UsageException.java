package dev.jvmm.cli;

/** The user asked for something that cannot be done as asked: one line, exit status 2. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
