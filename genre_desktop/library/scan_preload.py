"""Preloaded by the scan's fork server (see scan_pool): importing it warms up the analysis code.

Workers are forked from that server, so librosa, the decoders and the compiled feature kernels
are loaded and compiled once per app session instead of once per worker (or per pool restart).
Then the server lets go of the library code it paged in to get there (file_pages): it only
forks from now on, and each worker pages in the code it runs.
"""

from genre_desktop.library.file_pages import release_file_pages
from genre_desktop.library.parent_watch import exit_with_parent
from genre_desktop.library.scan_worker import warm_up

exit_with_parent()  # the server dies with the app, even when the app is killed
warm_up()
release_file_pages()
