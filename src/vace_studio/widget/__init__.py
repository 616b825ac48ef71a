"""The Jupyter widget: :class:`Studio` (Python) and its front end (``js/``, bundled in ``static/``).

Modules: ``studio`` (the anywidget and its traits), ``messages`` (custom-message requests and
answers), ``cards`` (a task as small JSON and its deltas), ``throttle`` (batching changes),
``file_uploads`` (files from the browser), ``videos`` (result and source videos, stills and
exported zips to the browser), ``previews`` (form previews and media-fix hints), ``gallery``
(a sweep's cells and its progress), ``history`` (the store a page at a time, exports),
``account`` (provider facts and the API key).
"""

from vace_studio.widget.studio import Studio

__all__ = ["Studio"]
