/**
 * The vecdrop command-line tool and the training example, a module of their own so that the library artifact
 * holds only the library. Launched by {@code ./vecdrop} as {@code dev.vecdrop.cli/dev.vecdrop.cli.Main}.
 *
 * <p>Besides the API it reads two packages the library exports to this module alone: {@code dev.vecdrop.verify}
 * (the exactness harness behind {@code vecdrop verify}) and {@code dev.vecdrop.kernel} (the platform description
 * {@code info} and {@code bench} print).
 */
module dev.vecdrop.cli {
    requires dev.vecdrop;
    requires info.picocli;
    // The training charts; the launcher adds both. Static, as before the split: every other command runs without.
    requires static org.jfree.jfreechart;
    requires static java.desktop;
    // The matrix kernel's vector version, loaded only when the library runs vector kernels (MatrixKernels).
    requires static jdk.incubator.vector;

    // picocli fills the commands' annotated fields reflectively.
    opens dev.vecdrop.cli to info.picocli;
}
