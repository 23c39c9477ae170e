"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

from webapp.models.base import utcnow
from webapp.models.book import Author, Book, BookAuthor
from webapp.models.feed import EVENT_KINDS, FeedEvent
from webapp.models.imports import AccountArchive, ImportChunk, LibraryImport
from webapp.models.lists import BookList, ListItem
from webapp.models.mail import JobFailure, OutboxMessage
from webapp.models.moderation import REPORT_REASONS, AuditEntry, BookRedirect, Notice, Report
from webapp.models.reading import (
    FORMATS,
    GOAL_KINDS,
    READ_STATUSES,
    ProgressUpdate,
    Read,
    ReadingGoal,
    ShelfTag,
    Tag,
)
from webapp.models.reply import Reply
from webapp.models.review import HelpfulVote, Review
from webapp.models.shelf import SHELVES, ShelfEntry
from webapp.models.social import Block, Follow, Mute
from webapp.models.user import STAFF_ROLES, LoginSession, User
from webapp.models.version import Version

__all__ = [
    "AccountArchive",
    "EVENT_KINDS",
    "FORMATS",
    "FeedEvent",
    "GOAL_KINDS",
    "READ_STATUSES",
    "ProgressUpdate",
    "Read",
    "ReadingGoal",
    "ShelfTag",
    "Tag",
    "REPORT_REASONS",
    "SHELVES",
    "STAFF_ROLES",
    "AuditEntry",
    "Author",
    "Block",
    "Book",
    "BookAuthor",
    "BookRedirect",
    "Follow",
    "HelpfulVote",
    "JobFailure",
    "ImportChunk",
    "LibraryImport",
    "LoginSession",
    "Mute",
    "Notice",
    "OutboxMessage",
    "Report",
    "BookList",
    "ListItem",
    "Reply",
    "Review",
    "ShelfEntry",
    "User",
    "Version",
    "utcnow",
]
