package dev.vecdrop.vector;

import dev.vecdrop.kernel.WidthChoice;
import dev.vecdrop.kernel.WidthRequest;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
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
    /** Half the width: a vector of {@code L} doubles takes its {@code L} uniforms from {@code L / 2} words. */
    private static final VectorShape HALF_SHAPE = VectorShape.forBitSize(Math.max(BITS, WidthChoice.MIN_BITS) / 2);

    /** float32 elements, and the SplitMix64 words and 32-bit uniforms of one vector of them. */
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Long> FLOAT_WORDS = LongVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Integer> FLOAT_UNIFORMS = IntVector.SPECIES_PREFERRED.withShape(SHAPE);

    /** float64 elements, and the words and uniforms of one vector of them (half as wide: as many uniforms as lanes). */
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Long> DOUBLE_WORDS = LongVector.SPECIES_PREFERRED.withShape(HALF_SHAPE);
    static final VectorSpecies<Integer> DOUBLE_UNIFORMS = IntVector.SPECIES_PREFERRED.withShape(HALF_SHAPE);
    /** Floats of half the shape: the float32 values one {@link #DOUBLES} vector widens (normals, in float64). */
    static final VectorSpecies<Float> HALF_FLOATS = FloatVector.SPECIES_PREFERRED.withShape(HALF_SHAPE);

    /** The bytes of a vector of either: what the segment kernels' twins load from and store to a {@code byte[]}. */
    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED.withShape(SHAPE);

    private Species() {}
}
