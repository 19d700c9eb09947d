package dev.lethe.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Control characters never reach a terminal raw. */
class PrintableTest {
    @Test
    void escapesTerminalControlCharacters() {
        String hostile = "\u001b]0;PWNED\u0007\u001b[1A\u001b[2KFAKE\r\u0000x\u009b2J\u007f";
        String shown = Printable.escape(hostile);
        assertEquals("\\e]0;PWNED\\a\\e[1A\\e[2KFAKE\\r\\0x\\x9b2J\\x7f", shown);
        assertEquals(-1, Printable.firstControl(shown));
    }

    @Test
    void leavesOrdinaryTextAlone() {
        assertEquals("forget-ä β/x.yaml", Printable.escape("forget-ä β/x.yaml"));
        assertEquals(3, Printable.firstControl("abc\u0007"));
    }
}
