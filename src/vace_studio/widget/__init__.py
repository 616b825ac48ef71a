"""The Jupyter widget: :class:`Studio` (Python) and its front end (``js/``, bundled in ``static/``).

Modules: ``studio`` (the anywidget, its traits and the wiring of the rest), ``commands`` (custom
messages routed to ``@command`` handlers, one answer each), ``errors`` (``WidgetError``: every
failed answer's code), ``task_handlers``, ``media_handlers`` and ``experiment_handlers`` (the
handlers, by view), ``feed`` (task changes → cards → deltas), ``clients`` (the studio's clients
and typed keys), ``downloads`` (download ids for exports), ``throttle`` (batching changes),
``file_uploads`` (files from the browser), ``videos`` (result and source videos, stills and
exported zips to the browser), ``previews`` (form previews and media-fix hints), ``gallery``
(a sweep's cells and its progress), ``history`` (the store a page at a time, exports),
``account`` (provider facts and the API key), ``comm_transport`` (binary buffers or base64 text,
decided by a probe per view), ``hosts`` (which notebook host runs the kernel) and ``snapshot``
(the static HTML summary beside the widget view).
"""

from vace_studio.widget.studio import Studio

__all__ = ["Studio"]
