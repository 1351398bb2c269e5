package dev.jvmm.machine;

/** A virtio entropy device (Linux's hwrng), fed from the host's {@link java.security.SecureRandom}. */
public record RngConfig() implements DeviceConfig {

    @Override
    public void validate() {
    }

    @Override
    public String describe() {
        return "virtio-rng";
    }
}
