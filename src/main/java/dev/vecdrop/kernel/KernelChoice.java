package dev.vecdrop.kernel;

import java.util.Objects;

/**
 * The selector's decision: the kernels every {@code Dropout} runs, and why they were picked, in words.
 *
 * <p>Thread-safety: immutable. Allocation: none after construction.
 *
 * @param kernels the implementation
 * @param reason  why it was picked: the text of the one log line and of {@code Vectorization.reason()}
 */
public record KernelChoice(DropoutKernels kernels, String reason) {

    public KernelChoice {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(reason, "reason");
    }

    /** The same kernels with {@code note} appended to the reason (an ignored property, say). */
    KernelChoice withNote(String note) {
        return note.isEmpty() ? this : new KernelChoice(kernels, reason + note);
    }
}
