"""Starting Java with MPXJ on the class path (private).

MPXJ (https://www.mpxj.org) is the reference library for project file
formats; its PyPI package ``mpxj`` bundles the Java archives and JPype1
runs them in a Java virtual machine inside the Python process. A process
starts its JVM once and cannot restart it, so everything that needs MPXJ
goes through :func:`start_jvm`: the ``.mpp`` reader and the tests.
"""

from __future__ import annotations

import shutil

from ..errors import MissingExtraError

__all__ = ["java_missing", "start_jvm"]

_INSTALL = "install the 'mpxj' extra (pip install 'pmsim[mpxj]': mpxj and JPype1) and a Java runtime (JRE 11 or later)"
# MPXJ logs through Log4j, which complains on stderr when it has no configuration.
_QUIET_LOG4J = "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory"


def java_missing() -> str | None:
    """Why MPXJ cannot run here (a sentence), or None when it can.

    >>> java_missing() is None or isinstance(java_missing(), str)
    True
    """
    try:
        import jpype
        import mpxj  # noqa: F401
    except ImportError as exc:
        return f"the Python packages mpxj and JPype1 are not installed ({exc})"
    if jpype.isJVMStarted():
        return None
    try:
        jpype.getDefaultJVMPath()
    except Exception as exc:  # JPype raises its own JVMNotFoundException, or OSError
        where = shutil.which("java")
        return f"no Java virtual machine found ({exc})" + (f"; java is at {where}" if where else "")
    return None


def start_jvm():
    """Start the JVM with MPXJ on its class path (once per process); return the ``jpype`` module.

    Raises :class:`pmsim.MissingExtraError` saying what to install when
    MPXJ, JPype1 or Java is missing.
    """
    reason = java_missing()
    if reason is not None:
        raise MissingExtraError(f"MPXJ is not available: {reason}; {_INSTALL}")
    import jpype
    import jpype.imports  # noqa: F401  (lets Python import Java packages: from org.mpxj import ...)
    import mpxj  # noqa: F401  (adds the MPXJ jars to the class path)

    if not jpype.isJVMStarted():
        try:
            jpype.startJVM(_QUIET_LOG4J, convertStrings=False)
        except (OSError, RuntimeError) as exc:
            raise MissingExtraError(f"MPXJ is not available: the JVM did not start ({exc}); {_INSTALL}") from None
    return jpype
