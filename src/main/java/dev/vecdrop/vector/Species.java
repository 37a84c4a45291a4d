package dev.vecdrop.vector;

import dev.vecdrop.kernel.WidthChoice;
import dev.vecdrop.kernel.WidthRequest;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the vector width and species are defined, so the dropout and matrix kernels cannot disagree.
 * {@code static final}, so C2 folds them into the kernels as constants.
 *
 * <p>Thread-safety: immutable after class initialisation. Allocation: none after it.
 */
final class Species {

    /** The preferred shape's size on this CPU and JVM flags: what C2 supports, not what the kernels use. */
    static final int HARDWARE_BITS = VectorShape.preferredShape().vectorBitSize();
    /** The width in use ({@link WidthChoice#chooseBits}), or {@link WidthChoice#NONE}: then nothing vector runs. */
    static final int BITS = WidthChoice.chooseBits(WidthRequest.BITS, HARDWARE_BITS);

    // With BITS == NONE the selector runs the scalar reference; the species still need a valid shape to exist.
    private static final VectorShape SHAPE = VectorShape.forBitSize(Math.max(BITS, WidthChoice.MIN_BITS));
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED.withShape(SHAPE);

    private Species() {}
}
