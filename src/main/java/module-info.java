/**
 * vecdrop: bit-exact SIMD dropout with a counter-based SplitMix64 mask stream.
 *
 * <p>Only {@code dev.vecdrop} is API. The Vector API is optional at run time ({@code requires static}):
 * without {@code --add-modules jdk.incubator.vector} the scalar reference kernels run and one log line
 * says why.
 *
 * <p>The command-line tool (module {@code dev.vecdrop.cli}, built from {@code cli/}) is the one other reader of
 * two internal packages: the exactness harness behind {@code vecdrop verify}, and the platform description
 * {@code vecdrop info} and {@code vecdrop bench} print. Both are exported to it alone, so they stay out of the
 * API. The CLI is not part of this build, so javac cannot find the module those exports name and would warn
 * ("module not found") on every compile; the suppression below covers only this declaration.
 */
@SuppressWarnings("module")
module dev.vecdrop {
    requires static jdk.incubator.vector;
    // HotSpot flags tell whether C2 is available; optional, so the library also runs on a minimal image.
    requires java.management;
    requires static jdk.management;

    exports dev.vecdrop;

    exports dev.vecdrop.verify to dev.vecdrop.cli;
    exports dev.vecdrop.kernel to dev.vecdrop.cli;
}
