"""A voice heard before choosing it: one sentence spoken into a short MP3."""

from __future__ import annotations

from pathlib import Path

from voiceguide.audio_format import CHANNELS, SAMPLE_RATE_HZ
from voiceguide.encoding import encode_session
from voiceguide.ffmpeg import require_ffmpeg
from voiceguide.files import atomic_output, prepare_output_folder, user_cache_dir
from voiceguide.sounds import load_sound
from voiceguide.speech import ClipCache, ClipSupply, VoiceSettings


def render_sample(text: str, voice: VoiceSettings, output: Path) -> Path:
    """``text`` spoken by ``voice`` into a short MP3 at ``output``: to hear a voice before choosing."""
    require_ffmpeg()
    prepare_output_folder(output)
    with ClipSupply(voice, ClipCache(user_cache_dir() / "clips")) as clips:
        clip = clips.start([text], needed_first=[text]).get(text)  # one clip: no worker to wait for
    stereo = load_sound(clip.path).set_channels(CHANNELS).set_frame_rate(SAMPLE_RATE_HZ)
    with atomic_output(output) as temporary:
        encode_session([stereo.raw_data], temporary, "mp3")
    return output
