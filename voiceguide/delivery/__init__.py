"""Getting finished sessions to a phone: a folder with a playlist, adb, a share on the LAN, or a
static podcast site on any web host."""
