"""Getting finished sessions to a phone: a folder with a playlist, adb, or a share on the LAN."""
