package dev.vecdrop.cli;

import picocli.CommandLine;

/** Seeds as signed decimal or as 64-bit hex ({@code 0x...}, all 64 bits usable). */
final class SeedConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim();
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a 64-bit integer (decimal or 0x hex)");
        }
    }
}
