package dev.jvmm.cli.control;

/**
 * A QMP error reply: its {@code class} (QMP keeps only {@value #GENERIC} and
 * {@value #COMMAND_NOT_FOUND} in use) and its one-line {@code desc}. Thrown by the server's
 * commands to answer with an error, and by {@link QmpClient} when the server answered with one.
 */
public final class QmpError extends Exception {

    public static final String GENERIC = "GenericError";
    public static final String COMMAND_NOT_FOUND = "CommandNotFound";

    private final String errorClass;

    public QmpError(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    static QmpError generic(String desc) {
        return new QmpError(GENERIC, desc);
    }

    static QmpError commandNotFound(String desc) {
        return new QmpError(COMMAND_NOT_FOUND, desc);
    }

    /** QMP's error class, such as {@value #GENERIC}. */
    public String errorClass() {
        return errorClass;
    }

    /** The human-readable description. */
    public String desc() {
        return getMessage();
    }
}
